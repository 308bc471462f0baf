using Microsoft.Extensions.AI;

namespace AiOrchestrator.Tests.Scopes;

public class ScopeResolutionTests
{
    private static readonly AiScope Default = new() { Organization = "default-org", App = "default-app" };

    private sealed class FixedResolver(AiScope? scope) : IAiScopeResolver
    {
        public int Calls { get; private set; }

        public AiScope? Resolve(ChatOptions? options)
        {
            Calls++;
            return scope;
        }
    }

    [Fact]
    public void Options_win_over_ambient_and_resolver()
    {
        var resolver = new FixedResolver(new AiScope { Organization = "resolver" });
        var options = new ChatOptions { AdditionalProperties = new() { [AiScopeKeys.Scope] = new AiScope { Organization = "opts", Team = "t1" } } };
        using (AiScope.Begin(organization: "ambient"))
        {
            var scope = ScopeResolution.Resolve(options, resolver, Default);
            scope.Organization.Should().Be("opts");
            scope.Team.Should().Be("t1");
            scope.App.Should().Be("default-app", "the app left unset comes from the default scope");
        }

        resolver.Calls.Should().Be(0);
    }

    [Fact]
    public void Single_levels_in_options_complete_the_ambient_scope()
    {
        var options = new ChatOptions { AdditionalProperties = new() { [AiScopeKeys.Feature] = "triage" } };
        using (AiScope.Begin(organization: "acme", team: "support", user: "lee"))
        {
            var scope = ScopeResolution.Resolve(options, null, Default);
            scope.Should().BeEquivalentTo(new AiScope { Organization = "acme", Team = "support", User = "lee", App = "default-app", Feature = "triage" });
        }
    }

    [Fact]
    public void Ambient_scope_wins_over_resolver_and_is_restored_when_disposed()
    {
        var resolver = new FixedResolver(new AiScope { Organization = "resolver" });
        using (AiScope.Begin(organization: "outer"))
        {
            using (AiScope.Begin(organization: "inner", team: "x"))
            {
                ScopeResolution.Resolve(null, resolver, Default).Organization.Should().Be("inner");
            }

            ScopeResolution.Resolve(null, resolver, Default).Organization.Should().Be("outer");
        }

        AiScope.Current.Should().BeNull();
        resolver.Calls.Should().Be(0);
    }

    [Fact]
    public void Resolver_is_asked_when_options_and_ambient_give_nothing()
    {
        var resolver = new FixedResolver(new AiScope { Organization = "from-user", User = "u7" });
        var scope = ScopeResolution.Resolve(new ChatOptions(), resolver, Default);
        scope.Organization.Should().Be("from-user");
        scope.User.Should().Be("u7");
        resolver.Calls.Should().Be(1);
    }

    [Fact]
    public void Default_scope_is_used_when_nothing_resolves()
    {
        ScopeResolution.Resolve(null, new FixedResolver(null), Default).Should().BeSameAs(Default);
        ScopeResolution.Resolve(null, null, Default).Should().BeSameAs(Default);
    }

    [Fact]
    public void A_user_without_a_team_is_not_put_in_a_default_team()
    {
        var fallback = new AiScope { Organization = "o", Team = "default-team" };
        var scope = new AiScope { User = "u" }.WithDefaults(fallback);
        scope.Team.Should().BeNull();
        scope.Organization.Should().Be("o");
    }

    [Fact]
    public async Task Ambient_scope_flows_across_awaits_and_does_not_leak_between_flows()
    {
        var seen = new string?[2];
        await Task.WhenAll(
            Task.Run(async () =>
            {
                using var _ = AiScope.Begin(team: "a");
                await Task.Yield();
                seen[0] = AiScope.Current?.Team;
            }),
            Task.Run(async () =>
            {
                using var _ = AiScope.Begin(team: "b");
                await Task.Yield();
                seen[1] = AiScope.Current?.Team;
            }));

        seen.Should().Equal("a", "b");
        AiScope.Current.Should().BeNull();
    }

    [Fact]
    public void Scope_text_form_is_stable()
    {
        new AiScope { Organization = "acme", Team = "search", User = "u1" }.ToString().Should().Be("org=acme/team=search/user=u1");
        new AiScope().ToString().Should().Be("(none)");
    }
}
