using System.Text;
using AiOrchestrator.RateLimits;
using static AiOrchestrator.Tests.RateLimits.RateLimitTestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace AiOrchestrator.Tests.RateLimits;

/// <summary>Limits bind strictly from configuration, are checked at start, and reload without losing counts.</summary>
public class RateLimitConfigurationTests
{
    private static IConfiguration Json(string json) => new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();

    [Fact]
    public void Limits_bind_from_the_rate_limits_section()
    {
        var configuration = Json("""
            { "AiOrchestrator": { "RateLimits": {
                "Window": "00:01:00", "Segments": 30, "QueueLimit": 10, "IdlePartitionTimeout": "00:05:00",
                "Limits": [
                  { "Level": "User", "Requests": 60, "Tokens": 100000 },
                  { "Level": "Team", "Organization": "acme", "Team": "search", "Tokens": 500000, "Cost": 2.5, "QueueLimit": 100 },
                  { "Level": "Organization", "Model": "gpt-4o", "Tokens": 1000000, "Window": "00:10:00" } ],
                "ModelWeights": { "gpt-4o": 4 } } } }
            """);
        using var services = new ServiceCollection().AddRateLimits(configuration).BuildServiceProvider();

        var options = services.GetRequiredService<IOptions<RateLimitOptions>>().Value;

        options.Segments.Should().Be(30);
        options.QueueLimit.Should().Be(10);
        options.IdlePartitionTimeout.Should().Be(TimeSpan.FromMinutes(5));
        options.Limits.Should().HaveCount(3);
        options.Limits[0].Level.Should().Be(RateLimitLevel.User);
        options.Limits[0].Requests.Should().Be(60);
        options.Limits[1].Cost.Should().Be(2.5m);
        options.Limits[1].QueueLimit.Should().Be(100);
        options.Limits[2].Window.Should().Be(TimeSpan.FromMinutes(10));
        options.ModelWeights["GPT-4O"].Should().Be(4m);
        services.GetRequiredService<ScopeRateLimiter>().Should().NotBeNull();
    }

    [Theory]
    [InlineData("\"Windw\": \"00:01:00\"", "AiOrchestrator:RateLimits:Windw is not a setting")]
    [InlineData("\"Limits\": [ { \"Level\": \"Tenant\", \"Requests\": 5 } ]", "AiOrchestrator:RateLimits:Limits:0:Level is 'Tenant'")]
    [InlineData("\"Limits\": [ { \"Level\": \"User\", \"Tokens\": \"lots\" } ]", "AiOrchestrator:RateLimits:Limits:0:Tokens is 'lots'")]
    [InlineData("\"Window\": \"00:00:00\"", "AiOrchestrator:RateLimits:Window is 00:00:00; it must be positive")]
    [InlineData("\"Window\": \"-00:01:00\"", "AiOrchestrator:RateLimits:Window is -00:01:00; it must be positive")]
    [InlineData("\"QueueLimit\": 1000000", "AiOrchestrator:RateLimits:QueueLimit is 1000000; it must be from 0")]
    [InlineData("\"Segments\": 0", "AiOrchestrator:RateLimits:Segments is 0")]
    [InlineData("\"Limits\": [ { \"Level\": \"User\" } ]", "AiOrchestrator:RateLimits:Limits:0 sets no limit")]
    [InlineData("\"Limits\": [ { \"Level\": \"User\", \"Requests\": 0 } ]", "AiOrchestrator:RateLimits:Limits:0:Requests is 0")]
    [InlineData("\"Limits\": [ { \"Level\": \"Organization\", \"Team\": \"x\", \"Requests\": 1 } ]", "AiOrchestrator:RateLimits:Limits:0 keeps one count per organisation")]
    [InlineData("\"Limits\": [ { \"Level\": \"User\", \"Requests\": 1 }, { \"Level\": \"User\", \"Tokens\": 1 } ]", "AiOrchestrator:RateLimits:Limits:1 applies to the same scopes as")]
    [InlineData("\"Limits\": [ { \"Level\": \"User\", \"Requests\": 1, \"Window\": \"00:00:00\" } ]", "AiOrchestrator:RateLimits:Limits:0:Window is 00:00:00")]
    [InlineData("\"ModelWeights\": { \"gpt-4o\": 0 }", "AiOrchestrator:RateLimits:ModelWeights:gpt-4o is 0")]
    public void A_setting_that_is_wrong_fails_at_start_naming_it(string setting, string message)
    {
        var configuration = Json($$"""{ "AiOrchestrator": { "RateLimits": { {{setting}} } } }""");
        using var services = new ServiceCollection().AddRateLimits(configuration).BuildServiceProvider();

        var start = () => services.GetRequiredService<IStartupValidator>().Validate();

        start.Should().Throw<OptionsValidationException>().Which.Failures.Should().Contain(f => f.StartsWith(message, StringComparison.Ordinal));
    }

    [Fact]
    public void Limits_set_in_code_apply_after_the_configured_ones()
    {
        var configuration = Json("""{ "AiOrchestrator": { "RateLimits": { "Limits": [ { "Level": "User", "Requests": 60 } ] } } }""");
        using var services = new ServiceCollection()
            .AddRateLimits(configuration, o => o.Limits.Add(new RateLimitRule { Level = RateLimitLevel.Organization, Tokens = 1_000 }))
            .BuildServiceProvider();

        services.GetRequiredService<IOptions<RateLimitOptions>>().Value.Limits.Should().HaveCount(2);
    }

    [Fact]
    public async Task A_reloaded_configuration_changes_the_limit_and_keeps_the_window_count()
    {
        var source = new Dictionary<string, string?>
        {
            ["AiOrchestrator:RateLimits:Limits:0:Level"] = "User",
            ["AiOrchestrator:RateLimits:Limits:0:Requests"] = "3",
        };
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(source).Build();
        var time = new FakeTimeProvider();
        using var services = new ServiceCollection().AddSingleton<TimeProvider>(time).AddRateLimits(configuration).BuildServiceProvider();
        var limiter = services.GetRequiredService<ScopeRateLimiter>();
        var alice = RateLimitTestHost.Alice;
        await limiter.AcquireRequestAsync(alice, null);
        await limiter.AcquireRequestAsync(alice, null);

        configuration["AiOrchestrator:RateLimits:Limits:0:Requests"] = "5";
        configuration.Reload();

        await limiter.AcquireRequestAsync(alice, null);
        await limiter.AcquireRequestAsync(alice, null);
        await limiter.AcquireRequestAsync(alice, null);
        var refused = async () => await limiter.AcquireRequestAsync(alice, null);
        (await refused.Should().ThrowAsync<RateLimitExceededException>()).Which.Limit.Should().Be(5, "the two earlier requests still count against the new limit");

        configuration["AiOrchestrator:RateLimits:Limits:0:Requests"] = "2";
        configuration.Reload();
        (await refused.Should().ThrowAsync<RateLimitExceededException>()).Which.Limit.Should().Be(2);
    }

    [Fact]
    public async Task A_window_changed_by_a_reload_keeps_what_was_counted()
    {
        using var host = new RateLimitTestHost(o => o.Limits.Add(new RateLimitRule { Level = RateLimitLevel.User, Tokens = 100 }));
        await host.Tokens(RateLimitTestHost.Alice, 100);

        host.Monitor.Change(o =>
        {
            o.Window = TimeSpan.FromSeconds(10);
            o.Segments = 10;
            o.Limits.Add(new RateLimitRule { Level = RateLimitLevel.User, Tokens = 100 });
        });

        var refusal = Refusal(host.Tokens(RateLimitTestHost.Alice, 1));
        refusal.Window.Should().Be(TimeSpan.FromSeconds(10));
        refusal.RetryAfter.Should().Be(TimeSpan.FromSeconds(11));
    }

    [Fact]
    public async Task An_invalid_reload_keeps_the_previous_limits()
    {
        using var host = new RateLimitTestHost(o => o.Limits.Add(new RateLimitRule { Level = RateLimitLevel.User, Requests = 1 }));
        await host.Request(RateLimitTestHost.Alice);

        host.Monitor.Change(o => o.Limits.Add(new RateLimitRule { Level = RateLimitLevel.User, Requests = -1 }));

        Refusal(host.Request(RateLimitTestHost.Alice)).Limit.Should().Be(1);
    }
}
