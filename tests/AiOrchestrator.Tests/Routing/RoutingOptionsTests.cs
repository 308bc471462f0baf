using AiOrchestrator.Routing;
using AiOrchestrator.Tests.TestDoubles;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AiOrchestrator.Tests.Routing;

public class RoutingOptionsTests
{
    private static OptionsValidationException Invalid(Action<RoutingOptions> configure)
    {
        var act = () => new ChatClientBuilder(new TestChatClient()).UseRouting(configure).Build();
        return act.Should().Throw<OptionsValidationException>().Which;
    }

    private static RouteTarget T(string name, string model = "gpt-4o") => new() { Name = name, ModelId = model };

    [Fact]
    public void An_alias_without_targets_is_named_in_the_error()
        => Invalid(o => o.Aliases["smart"] = new RouteOptions()).Message
            .Should().Contain("AiOrchestrator:Routing:Aliases:smart:Targets is empty");

    [Fact]
    public void Duplicate_names_bad_weights_and_an_unknown_strategy_are_each_reported()
    {
        var error = Invalid(o => o.Aliases["smart"] = new RouteOptions
        {
            Strategy = (RoutingStrategy)42,
            Targets = [T("a"), T("a", "gpt-4o"), new RouteTarget { Name = "b", ModelId = "gpt-4o-mini", Weight = 0 }, new RouteTarget { Name = "c", ModelId = "" }],
        });

        error.Failures.Should().Contain(f => f.Contains("Aliases:smart:Strategy '42' is not one of: Priority, Weighted, Cheapest, Fastest, BudgetAware"));
        error.Failures.Should().Contain(f => f.Contains("Aliases:smart:Targets:1:Name 'a' is used twice"));
        error.Failures.Should().Contain(f => f.Contains("Aliases:smart:Targets:2:Weight is 0"));
        error.Failures.Should().Contain(f => f.Contains("Aliases:smart:Targets:3:ModelId is empty"));
    }

    [Fact]
    public void A_name_used_for_two_models_a_bad_default_alias_and_bad_breaker_settings_are_reported()
    {
        var error = Invalid(o =>
        {
            o.Aliases["smart"] = new RouteOptions { Targets = [T("main", "gpt-4o")] };
            o.Aliases["cheap"] = new RouteOptions { Targets = [T("main", "gpt-4o-mini")] };
            o.DefaultAlias = "clever";
            o.CircuitBreaker.FailureRatio = 1.5;
            o.CircuitBreaker.BreakDuration = TimeSpan.Zero;
            o.AttemptTimeout = TimeSpan.FromSeconds(-1);
        });

        error.Failures.Should().Contain(f => f.Contains("Name 'main' is used in 'smart' for model 'gpt-4o' and here for 'gpt-4o-mini'"));
        error.Failures.Should().Contain(f => f.Contains("DefaultAlias 'clever' is not an alias"));
        error.Failures.Should().Contain(f => f.Contains("CircuitBreaker:FailureRatio is 1.5"));
        error.Failures.Should().Contain(f => f.Contains("CircuitBreaker:BreakDuration"));
        error.Failures.Should().Contain(f => f.Contains("AttemptTimeout"));
    }

    [Fact]
    public async Task Routing_binds_from_configuration_with_keyed_clients()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AiOrchestrator:Routing:DefaultAlias"] = "smart",
            ["AiOrchestrator:Routing:AttemptTimeout"] = "00:00:20",
            ["AiOrchestrator:Routing:Aliases:smart:Strategy"] = "Priority",
            ["AiOrchestrator:Routing:Aliases:smart:Targets:0:Name"] = "openai",
            ["AiOrchestrator:Routing:Aliases:smart:Targets:0:ClientKey"] = "openai",
            ["AiOrchestrator:Routing:Aliases:smart:Targets:0:ModelId"] = "gpt-4o",
            ["AiOrchestrator:Routing:Aliases:smart:Targets:1:Name"] = "claude",
            ["AiOrchestrator:Routing:Aliases:smart:Targets:1:ClientKey"] = "anthropic",
            ["AiOrchestrator:Routing:Aliases:smart:Targets:1:ModelId"] = "claude-sonnet-4-5",
            ["AiOrchestrator:Routing:Aliases:smart:Targets:1:Timeout"] = "00:00:30",
        }).Build();
        var services = new ServiceCollection();
        services.AddModelRouting(configuration);
        services.AddKeyedChatClient("openai", Targets.Failing(Targets.Status(500)));
        services.AddKeyedChatClient("anthropic", Targets.Answering("claude says hi", "claude-sonnet-4-5", "anthropic"));
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<RoutingOptions>>().Value;
        options.Aliases["SMART"].Targets[1].Timeout.Should().Be(TimeSpan.FromSeconds(30));
        var client = new ChatClientBuilder(new TestChatClient()).UseRouting().Build(provider);

        (await client.GetResponseAsync("hi")).Text.Should().Be("claude says hi");
        client.GetService<ChatClientMetadata>()!.DefaultModelId.Should().Be("smart");
    }

    [Fact]
    public void A_missing_keyed_client_is_named()
    {
        using var provider = new ServiceCollection().BuildServiceProvider();
        var act = () => new ChatClientBuilder(new TestChatClient())
            .UseRouting(o => o.Aliases["smart"] = new RouteOptions { Targets = [new RouteTarget { Name = "x", ModelId = "gpt-4o", ClientKey = "nope" }] })
            .Build(provider);

        act.Should().Throw<InvalidOperationException>().WithMessage("*ClientKey 'nope'*AddKeyedChatClient(\"nope\"*");
    }

    [Fact]
    public void Invalid_registered_options_fail_validation_with_the_setting_named()
    {
        var services = new ServiceCollection();
        services.AddModelRouting(o => o.Aliases["smart"] = new RouteOptions());
        using var provider = services.BuildServiceProvider();

        var act = () => provider.GetRequiredService<IOptions<RoutingOptions>>().Value;

        act.Should().Throw<OptionsValidationException>().WithMessage("*Aliases:smart:Targets is empty*");
    }
}
