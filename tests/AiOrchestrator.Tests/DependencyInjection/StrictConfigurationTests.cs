using System.Text;
using AiOrchestrator.Budgets;
using AiOrchestrator.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AiOrchestrator.Tests.DependencyInjection;

/// <summary>
/// Configuration that the binder would drop or ignore fails at start, naming the key: before, a wallet with
/// <c>"Limit": "1 USD"</c> vanished (its team unlimited), a misspelt strategy removed a whole alias, and a misspelt
/// key or section was silently ignored.
/// </summary>
public class StrictConfigurationTests
{
    private static IConfiguration Json(string json) => new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();

    private static IConfiguration Settings(params (string Key, string? Value)[] settings)
        => new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, s.Value))).Build();

    /// <summary>What the host does at start for options registered with ValidateOnStart.</summary>
    private static OptionsValidationException StartFails(ServiceProvider services)
    {
        var start = () => services.GetRequiredService<IStartupValidator>().Validate();
        return start.Should().Throw<OptionsValidationException>().Which;
    }

    [Theory]
    [InlineData("\"Limit\": \"1 USD\"", "AiOrchestrator:Budgets:Wallets:1:Limit is '1 USD', which is not a plain number")]
    [InlineData("\"Limit\": 5, \"Period\": \"Monthly\"", "AiOrchestrator:Budgets:Wallets:1:Period is 'Monthly', which is not one of: Day, Week, Month, Total. Did you mean 'Month'?")]
    public void A_wallet_entry_that_cannot_be_converted_fails_at_start_instead_of_vanishing(string settings, string message)
    {
        var configuration = Json($$"""
            {
              "AiOrchestrator": {
                "Budgets": {
                  "StorePath": ":memory:",
                  "Wallets": [
                    { "Id": "org:acme", "Limit": 100 },
                    { "Id": "team:acme/search", {{settings}} }
                  ]
                }
              }
            }
            """);
        using var services = new ServiceCollection().AddBudgetLedger(configuration).BuildServiceProvider();

        var error = StartFails(services);

        error.Failures.Should().ContainSingle().Which.Should().StartWith(message).And.Contain("the whole entry AiOrchestrator:Budgets:Wallets:1 would be dropped");
        var resolve = () => services.GetRequiredService<IBudgetLedger>();
        resolve.Should().Throw<OptionsValidationException>().Which.Message.Should().Contain(message);
    }

    [Fact]
    public void A_misspelt_routing_strategy_names_the_strategy_not_the_default_alias()
    {
        var configuration = Json("""
            {
              "AiOrchestrator": {
                "Routing": {
                  "DefaultAlias": "smart",
                  "Aliases": {
                    "smart": {
                      "Strategy": "Cheepest",
                      "Targets": [ { "Name": "a", "ModelId": "gpt-4o", "ClientKey": "openai" } ]
                    }
                  }
                }
              }
            }
            """);
        using var services = new ServiceCollection().AddModelRouting(configuration).BuildServiceProvider();

        var error = StartFails(services);

        error.Failures.Should().ContainSingle().Which.Should().StartWith(
            "AiOrchestrator:Routing:Aliases:smart:Strategy is 'Cheepest', which is not one of: Priority, Weighted, Cheapest, Fastest, BudgetAware. Did you mean 'Cheapest'?");
        error.Message.Should().NotContain("DefaultAlias");
    }

    [Theory]
    [InlineData("20s")]
    [InlineData("20")]
    public void A_target_timeout_that_is_not_hh_mm_ss_fails_instead_of_dropping_the_target(string timeout)
    {
        var configuration = Settings(
            ("AiOrchestrator:Routing:Aliases:smart:Targets:0:Name", "a"),
            ("AiOrchestrator:Routing:Aliases:smart:Targets:0:ModelId", "gpt-4o"),
            ("AiOrchestrator:Routing:Aliases:smart:Targets:1:Name", "b"),
            ("AiOrchestrator:Routing:Aliases:smart:Targets:1:ModelId", "claude-sonnet-4"),
            ("AiOrchestrator:Routing:Aliases:smart:Targets:1:Timeout", timeout));
        using var services = new ServiceCollection().AddModelRouting(configuration).BuildServiceProvider();

        var error = StartFails(services);

        error.Failures.Should().ContainSingle().Which.Should().Contain($"AiOrchestrator:Routing:Aliases:smart:Targets:1:Timeout is '{timeout}'")
            .And.Contain("hh:mm:ss").And.Contain("'00:00:20'");
    }

    [Fact]
    public void Valid_values_bind_including_nulls_for_optional_settings()
    {
        var configuration = Json("""
            {
              "AiOrchestrator": {
                "Routing": {
                  "AttemptTimeout": null,
                  "Aliases": {
                    "smart": {
                      "Strategy": "cheapest",
                      "LowBudgetAmount": null,
                      "Targets": [
                        { "Name": "a", "ModelId": "gpt-4o", "Timeout": "00:00:20" },
                        { "Name": "b", "ModelId": "gpt-4o-mini", "Timeout": null }
                      ]
                    }
                  }
                }
              }
            }
            """);
        using var services = new ServiceCollection().AddModelRouting(configuration).BuildServiceProvider();

        services.GetRequiredService<IStartupValidator>().Validate();
        var routing = services.GetRequiredService<IOptions<RoutingOptions>>().Value;

        routing.AttemptTimeout.Should().BeNull();
        var route = routing.Aliases["smart"];
        route.Strategy.Should().Be(RoutingStrategy.Cheapest);
        route.Targets.Select(t => t.Timeout).Should().Equal(TimeSpan.FromSeconds(20), null);
    }

    [Fact]
    public void The_sections_of_the_cache_and_the_rate_limits_are_bound_by_their_own_registrations_not_refused()
    {
        var configuration = Settings(
            ("AiOrchestrator:StorePath", ":memory:"),
            ("AiOrchestrator:Cache:DefaultTimeToLive", "00:05:00"),
            ("AiOrchestrator:RateLimits:Limits:0:Level", "Organization"),
            ("AiOrchestrator:RateLimits:Limits:0:Organization", "acme"),
            ("AiOrchestrator:RateLimits:Limits:0:Requests", "60"));
        using var services = new ServiceCollection().AddAiOrchestrator(configuration).AddAiCache(configuration).AddRateLimits(configuration).BuildServiceProvider();

        services.GetRequiredService<IStartupValidator>().Validate();
        services.GetRequiredService<IOptions<AiOrchestrator.Caching.AiCacheOptions>>().Value.DefaultTimeToLive.Should().Be(TimeSpan.FromMinutes(5));
#pragma warning disable AIOEXP001
        services.GetRequiredService<IOptions<AiOrchestrator.RateLimits.RateLimitOptions>>().Value.Limits.Should().ContainSingle().Which.Requests.Should().Be(60);
#pragma warning restore AIOEXP001

        // A misspelt key inside them is still refused, by the registration that owns the section.
        var misspelt = Settings(("AiOrchestrator:StorePath", ":memory:"), ("AiOrchestrator:Cache:DefaultTimeToLiv", "00:05:00"));
        var register = () => new ServiceCollection().AddAiOrchestrator(misspelt).AddAiCache(misspelt).BuildServiceProvider().GetRequiredService<IStartupValidator>().Validate();
        register.Should().Throw<Exception>().Which.Message.Should().Contain("DefaultTimeToLiv");
    }

    [Fact]
    public void An_unconvertible_price_fails_at_start_instead_of_leaving_the_model_unpriced()
    {
        var configuration = Settings(
            ("AiOrchestrator:StorePath", ":memory:"),
            ("AiOrchestrator:DefaultScope:Organization", "acme"),
            ("AiOrchestrator:DefaultScope:Tags:env", "prod"),
            ("AiOrchestrator:Pricing:Prices:0:Model", "in-house-llm"),
            ("AiOrchestrator:Pricing:Prices:0:InputPerMillion", "$2.50"),
            ("AiOrchestrator:Pricing:Prices:0:OutputPerMillion", "10"));
        using var services = new ServiceCollection().AddAiOrchestrator(configuration).BuildServiceProvider();

        StartFails(services).Failures.Should().ContainSingle().Which.Should()
            .StartWith("AiOrchestrator:Pricing:Prices:0:InputPerMillion is '$2.50', which is not a plain number")
            .And.Contain("the whole entry AiOrchestrator:Pricing:Prices:0 would be dropped");
    }

    [Fact]
    public void A_unit_price_that_cannot_be_converted_or_a_missing_catalog_file_fails_at_start()
    {
        var configuration = Settings(
            ("AiOrchestrator:StorePath", ":memory:"),
            ("AiOrchestrator:Pricing:CatalogFile", Path.Combine(Path.GetTempPath(), "no-such-dir-aio", "data.json")),
            ("AiOrchestrator:Pricing:Prices:0:Model", "in-house-llm"),
            ("AiOrchestrator:Pricing:Prices:0:InputPerMillion", "1"),
            ("AiOrchestrator:Pricing:Prices:0:OutputPerMillion", "2"),
            ("AiOrchestrator:Pricing:Prices:0:Units:web_searches_kcount", "ten"));
        using var services = new ServiceCollection().AddAiOrchestrator(configuration).BuildServiceProvider();

        var failures = StartFails(services).Failures;

        failures.Should().ContainSingle().Which.Should().StartWith("AiOrchestrator:Pricing:Prices:0:Units:web_searches_kcount is 'ten', which is not a plain number");

        // Once the entry binds, the missing catalog file is what stops the start.
        var fixedConfiguration = new ConfigurationBuilder().AddConfiguration(configuration)
            .AddInMemoryCollection([KeyValuePair.Create<string, string?>("AiOrchestrator:Pricing:Prices:0:Units:web_searches_kcount", "10")]).Build();
        using var fixedServices = new ServiceCollection().AddAiOrchestrator(fixedConfiguration).BuildServiceProvider();
        StartFails(fixedServices).Failures.Should().ContainSingle().Which.Should()
            .StartWith("AiOrchestrator:Pricing:CatalogFile is '").And.Contain("does not exist");
    }

    [Theory]
    [InlineData("AiOrchestrator:Budgets:Walets:0:Id", "AiOrchestrator:Budgets:Walets is not a setting of BudgetOptions", "Did you mean 'Wallets'?")]
    [InlineData("AiOrchestrator:Budgets:Wallets:0:Limt", "AiOrchestrator:Budgets:Wallets:0:Limt is not a setting of WalletOptions", "Did you mean 'Limit'?")]
    public void A_misspelt_key_fails_at_start_naming_it_and_the_likely_fix(string key, string message, string fix)
    {
        var configuration = Settings(
            ("AiOrchestrator:Budgets:StorePath", ":memory:"),
            ("AiOrchestrator:Budgets:Wallets:0:Id", "org:acme"),
            ("AiOrchestrator:Budgets:Wallets:0:Limit", "10"),
            (key, "5"));
        using var services = new ServiceCollection().AddBudgetLedger(configuration).BuildServiceProvider();

        var error = StartFails(services);

        error.Failures.Should().ContainSingle().Which.Should().StartWith(message).And.Contain(fix);
    }

    [Fact]
    public void Misspelt_keys_in_the_core_and_pricing_sections_fail_too()
    {
        var configuration = Settings(
            ("AiOrchestrator:StorPath", ":memory:"),
            ("AiOrchestrator:Pricing:Prices:0:Model", "gpt-4o"),
            ("AiOrchestrator:Pricing:Prices:0:InputPerMilion", "2.5"),
            ("AiOrchestrator:Pricing:Prices:0:OutputPerMillion", "10"));
        using var services = new ServiceCollection().AddAiOrchestrator(configuration).BuildServiceProvider();

        var error = StartFails(services);

        error.Failures.Should().HaveCount(2);
        error.Failures.Should().Contain(f => f.StartsWith("AiOrchestrator:StorPath is not a setting", StringComparison.Ordinal) && f.Contains("'StorePath'"));
        error.Failures.Should().Contain(f => f.StartsWith("AiOrchestrator:Pricing:Prices:0:InputPerMilion is not a setting", StringComparison.Ordinal) && f.Contains("'InputPerMillion'"));
    }

    [Fact]
    public void A_misspelt_top_level_section_is_named_instead_of_failing_later_on_prices()
    {
        var configuration = Json("""
            {
              "AiOrchestartor": {
                "StorePath": ":memory:",
                "Pricing": { "Prices": [ { "Model": "in-house-llm", "InputPerMillion": 1, "OutputPerMillion": 2 } ] }
              }
            }
            """);
        using var services = new ServiceCollection().AddAiOrchestrator(configuration).BuildServiceProvider();

        var error = StartFails(services);

        error.Failures.Should().ContainSingle().Which.Should()
            .Contain("found no 'AiOrchestrator' section")
            .And.Contain("The top-level key 'AiOrchestartor' looks like a misspelling of 'AiOrchestrator': rename it.")
            .And.Contain("services.AddAiOrchestrator() without configuration");
    }

    [Fact]
    public void A_ledger_given_configuration_without_its_section_says_which_section_it_expected()
    {
        var configuration = Settings(("AiOrchestrator:StorePath", ":memory:"), ("AiOrchestrator:Budget:Wallets:0:Id", "org:acme"));
        using var services = new ServiceCollection().AddBudgetLedger(configuration).BuildServiceProvider();

        var error = StartFails(services);

        error.Failures.Should().ContainSingle().Which.Should()
            .Contain("services.AddBudgetLedger(configuration) found no 'AiOrchestrator:Budgets' section")
            .And.Contain("The key under AiOrchestrator 'Budget' looks like a misspelling of 'Budgets'");
    }

    [Fact]
    public void A_budgets_section_that_nothing_reads_fails_the_core_options()
    {
        var configuration = Settings(("AiOrchestrator:StorePath", ":memory:"), ("AiOrchestrator:Budgets:Wallets:0:Id", "org:acme"));
        using var services = new ServiceCollection()
            .AddAiOrchestrator(configuration)
            .AddBudgetLedger(configure: o => o.StorePath = ":memory:")
            .BuildServiceProvider();

        var error = StartFails(services);

        error.Failures.Should().ContainSingle().Which.Should().Be(
            "AiOrchestrator:Budgets is set, but nothing reads it, so it would have no effect. Call services.AddBudgetLedger(configuration), or remove the section.");
    }

    [Fact]
    public void Sections_of_other_registrations_are_left_to_them()
    {
        var configuration = Json("""
            {
              "AiOrchestrator": {
                "StorePath": ":memory:",
                "Budgets": { "StorePath": ":memory:", "Wallets": [ { "Id": "org:acme", "Limit": 10 } ] },
                "Routing": { "Aliases": { "smart": { "Targets": [ { "Name": "a", "ModelId": "gpt-4o" } ] } } }
              }
            }
            """);
        using var services = new ServiceCollection()
            .AddAiOrchestrator(configuration)
            .AddBudgetLedger(configuration)
            .AddModelRouting(configuration)
            .BuildServiceProvider();

        services.GetRequiredService<IStartupValidator>().Validate();

        services.GetRequiredService<IOptions<AiOrchestratorOptions>>().Value.StorePath.Should().Be(":memory:");
        services.GetRequiredService<IBudgetLedger>().GetWallet(WalletId.ForOrganization("acme")).Limit.Amount.Amount.Should().Be(10m);
        services.GetRequiredService<IOptions<RoutingOptions>>().Value.Aliases.Should().ContainKey("smart");
    }

    [Fact]
    public void An_empty_section_is_enough_to_use_the_defaults_and_a_section_can_be_passed_itself()
    {
        var empty = Json("""{ "AiOrchestrator": { } }""");
        using (var services = new ServiceCollection().AddAiOrchestrator(empty).BuildServiceProvider())
        {
            services.GetRequiredService<IStartupValidator>().Validate();
            services.GetRequiredService<IOptions<AiOrchestratorOptions>>().Value.StorePath.Should().Be("aiorchestrator.db");
        }

        var routing = Settings(("Ai:Routing:Aliases:smart:Targets:0:Name", "a"), ("Ai:Routing:Aliases:smart:Targets:0:ModelId", "gpt-4o"));
        using (var services = new ServiceCollection().AddModelRouting(routing.GetSection("Ai:Routing")).BuildServiceProvider())
        {
            services.GetRequiredService<IStartupValidator>().Validate();
            services.GetRequiredService<IOptions<RoutingOptions>>().Value.Aliases["smart"].Targets.Should().ContainSingle();
        }
    }

    [Fact]
    public void Options_set_in_code_need_no_configuration()
    {
        using var services = new ServiceCollection()
            .AddAiOrchestrator(o => o.StorePath = ":memory:")
            .AddBudgetLedger(configure: o => o.Wallets.Add(new WalletOptions { Id = "org:acme", Limit = 1m }))
            .AddModelRouting(o => o.Aliases["smart"] = new RouteOptions { Targets = [new RouteTarget { Name = "a", ModelId = "gpt-4o" }] })
            .BuildServiceProvider();

        services.GetRequiredService<IStartupValidator>().Validate();

        services.GetRequiredService<IBudgetLedger>().GetWallet(WalletId.ForOrganization("acme")).Limit.Amount.Amount.Should().Be(1m);
    }

    [Fact]
    public void A_service_valued_setting_says_to_use_the_key_instead()
    {
        var configuration = Settings(
            ("AiOrchestrator:Routing:Aliases:smart:Targets:0:Name", "a"),
            ("AiOrchestrator:Routing:Aliases:smart:Targets:0:ModelId", "gpt-4o"),
            ("AiOrchestrator:Routing:Aliases:smart:Targets:0:Client", "openai"));
        using var services = new ServiceCollection().AddModelRouting(configuration).BuildServiceProvider();

        StartFails(services).Failures.Should().ContainSingle().Which.Should()
            .StartWith("AiOrchestrator:Routing:Aliases:smart:Targets:0:Client cannot be set in configuration")
            .And.Contain("set ClientKey");
    }

    [Theory]
    [InlineData("AiOrchestrator:Budgets:Wallets:0:SoftThresholds:1", "80%", "AiOrchestrator:Budgets:Wallets:0:SoftThresholds:1 is '80%'")]
    [InlineData("AiOrchestrator:Budgets:Wallets:0:Limit:Amount", "5", "AiOrchestrator:Budgets:Wallets:0:Limit has nested settings (Amount)")]
    [InlineData("AiOrchestrator:Budgets:ReservationTimeout", "10m", "AiOrchestrator:Budgets:ReservationTimeout is '10m'")]
    [InlineData("AiOrchestrator:Budgets:SnapshotAfterBytes", "16MiB", "AiOrchestrator:Budgets:SnapshotAfterBytes is '16MiB', which is not a whole number")]
    public void Other_unconvertible_values_are_named_too(string key, string value, string message)
    {
        var configuration = Settings(
            ("AiOrchestrator:Budgets:StorePath", ":memory:"),
            ("AiOrchestrator:Budgets:Wallets:0:Id", "org:acme"),
            ("AiOrchestrator:Budgets:Wallets:0:Limit", "10"),
            ("AiOrchestrator:Budgets:Wallets:0:SoftThresholds:0", "0.5"),
            (key, value));
        using var services = new ServiceCollection().AddBudgetLedger(configuration).BuildServiceProvider();

        StartFails(services).Failures.Should().ContainSingle().Which.Should().StartWith(message);
    }
}
