using AiOrchestrator.RateLimits;
using static AiOrchestrator.Tests.RateLimits.RateLimitTestHost;

namespace AiOrchestrator.Tests.RateLimits;

/// <summary>A call passes its user's, its team's and its organisation's limits, all or nothing.</summary>
public class RateLimitHierarchyTests
{
    private static readonly AiScope Alice = RateLimitTestHost.Alice;
    private static readonly AiScope Bob = RateLimitTestHost.Bob;
    private static readonly AiScope Carol = RateLimitTestHost.Carol;

    [Fact]
    public void A_user_limit_inside_a_team_limit_inside_an_organisation_limit()
    {
        using var host = new RateLimitTestHost(o =>
        {
            o.Limits.Add(new RateLimitRule { Level = RateLimitLevel.User, Requests = 2 });
            o.Limits.Add(new RateLimitRule { Level = RateLimitLevel.Team, Requests = 3 });
            o.Limits.Add(new RateLimitRule { Level = RateLimitLevel.Organization, Requests = 4 });
        });

        Passes(host.Request(Alice)).Should().BeTrue();
        Passes(host.Request(Alice)).Should().BeTrue();
        Refusal(host.Request(Alice)).Level.Should().Be(RateLimitLevel.User);
        Passes(host.Request(Bob)).Should().BeTrue();
        Refusal(host.Request(Bob)).Level.Should().Be(RateLimitLevel.Team);
        Passes(host.Request(Carol)).Should().BeTrue("another team of the organisation");
        Refusal(host.Request(Carol)).Level.Should().Be(RateLimitLevel.Organization);
        Passes(host.Request(RateLimitTestHost.Dave)).Should().BeTrue("another organisation");
    }

    [Fact]
    public void A_refusal_higher_up_gives_back_what_the_lower_levels_took()
    {
        using var host = new RateLimitTestHost(o =>
        {
            o.Limits.Add(new RateLimitRule { Level = RateLimitLevel.User, Tokens = 500 });
            o.Limits.Add(new RateLimitRule { Level = RateLimitLevel.Organization, Tokens = 100 });
        });
        Passes(host.Tokens(Alice, 100)).Should().BeTrue();

        for (var i = 0; i < 10; i++)
        {
            Refusal(host.Tokens(Alice, 100)).Level.Should().Be(RateLimitLevel.Organization);
        }

        // Raise the organisation's limit: had the refusals kept Alice's tokens, she would have none left.
        host.Monitor.Change(o =>
        {
            o.Limits.Add(new RateLimitRule { Level = RateLimitLevel.User, Tokens = 500 });
            o.Limits.Add(new RateLimitRule { Level = RateLimitLevel.Organization, Tokens = 10_000 });
        });
        Passes(host.Tokens(Alice, 400)).Should().BeTrue();
        Refusal(host.Tokens(Alice, 1)).Level.Should().Be(RateLimitLevel.User);
    }

    [Fact]
    public void The_most_specific_rule_of_a_level_applies()
    {
        using var host = new RateLimitTestHost(o =>
        {
            o.Limits.Add(new RateLimitRule { Level = RateLimitLevel.User, Requests = 1 });
            o.Limits.Add(new RateLimitRule { Level = RateLimitLevel.User, Organization = "acme", User = "bob", Requests = 3 });
            o.Limits.Add(new RateLimitRule { Level = RateLimitLevel.User, Organization = "acme", Requests = 2 });
        });

        Count(host, Alice).Should().Be(2, "acme's users get 2");
        Count(host, Bob).Should().Be(3, "bob's own rule names more");
        Count(host, RateLimitTestHost.Dave).Should().Be(1, "the rule for everyone");
    }

    [Fact]
    public void A_model_rule_adds_its_own_count_next_to_the_total()
    {
        using var host = new RateLimitTestHost(o =>
        {
            o.Limits.Add(new RateLimitRule { Level = RateLimitLevel.Organization, Tokens = 1_000 });
            o.Limits.Add(new RateLimitRule { Level = RateLimitLevel.Organization, Model = "gpt-4o", Tokens = 300 });
            o.Limits.Add(new RateLimitRule { Level = RateLimitLevel.Team, Model = "*", Requests = 1 });
        });

        Passes(host.Tokens(Alice, 300, model: "gpt-4o")).Should().BeTrue();
        var refusal = Refusal(host.Tokens(Bob, 1, model: "gpt-4o"));
        refusal.Partition.Should().Be("organization 'acme' on model 'gpt-4o'");
        Passes(host.Tokens(Bob, 700, model: "gpt-4o-mini")).Should().BeTrue("the total still had 700");
        Refusal(host.Tokens(Bob, 1, model: "gpt-4o-mini")).Partition.Should().Be("organization 'acme'");

        Passes(host.Request(Alice, "gpt-4o")).Should().BeTrue();
        Passes(host.Request(Bob, "gpt-4o")).Should().BeFalse("one request per team and model");
        Passes(host.Request(Bob, "claude-sonnet-4")).Should().BeTrue("every model has its own count");
    }

    [Fact]
    public void A_scope_without_a_team_or_user_passes_only_the_levels_it_has()
    {
        using var host = new RateLimitTestHost(o =>
        {
            o.Limits.Add(new RateLimitRule { Level = RateLimitLevel.User, Requests = 1 });
            o.Limits.Add(new RateLimitRule { Level = RateLimitLevel.Organization, Requests = 3 });
        });
        var service = new AiScope { Organization = "acme" };

        Count(host, service).Should().Be(3);
    }

    private static int Count(RateLimitTestHost host, AiScope scope)
    {
        var admitted = 0;
        while (admitted < 100 && Passes(host.Request(scope)))
        {
            admitted++;
        }

        return admitted;
    }
}
