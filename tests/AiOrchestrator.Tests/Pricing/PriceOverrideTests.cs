using System.Globalization;
using AiOrchestrator.Pricing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AiOrchestrator.Tests.Pricing;

public class PriceOverrideTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-06-01T12:00:00Z", CultureInfo.InvariantCulture);

    [Fact]
    public void A_price_added_in_code_overrides_the_catalog()
    {
        var options = new PricingOptions();
        options.Prices.Add(new ModelPriceDefinition { Provider = "openai", Model = "gpt-4o", InputPerMillion = 2m, OutputPerMillion = 8m });
        var calculator = new CostCalculator(options);

        // 10,000 x 2 + 1,000 x 8 = 28,000 / 1e6 = 0.028 (the catalog's 2.5 / 10 would give 0.035)
        var cost = calculator.Calculate("openai", "gpt-4o", new TokenUsage { InputTokens = 10_000, OutputTokens = 1_000 }, Now);
        cost.Cost.Should().Be(Money.Usd(0.028m));
        cost.Price.Source.Should().Be(PriceSource.Override);
        cost.UsedFallbackPrice.Should().BeFalse();

        // Other models still come from the catalog.
        calculator.GetPrice("openai", "gpt-4o-mini", Now).Source.Should().Be(PriceSource.Catalog);
    }

    [Fact]
    public void A_prefix_pattern_prices_a_family_of_ids_such_as_fine_tunes()
    {
        var catalog = PriceCatalog.Default.WithPrices(
        [
            new ModelPriceDefinition { Model = "ft:gpt-4o*", InputPerMillion = 3.75m, CachedInputPerMillion = 1.875m, OutputPerMillion = 15m },
            new ModelPriceDefinition { Model = "ft:gpt-4o-mini*", InputPerMillion = 0.3m, OutputPerMillion = 1.2m },
        ]);

        catalog.FindPrice("openai", "ft:gpt-4o-2024-08-06:acme::abc123", Now).InputPerMillion.Should().Be(3.75m);

        // The longer prefix is more specific.
        catalog.FindPrice("openai", "ft:gpt-4o-mini-2024-07-18:acme::x", Now).InputPerMillion.Should().Be(0.3m);
    }

    [Fact]
    public void A_provider_specific_override_does_not_apply_to_other_providers()
    {
        var catalog = PriceCatalog.Default.WithPrices(
        [
            new ModelPriceDefinition { Provider = "azure.ai.openai", Model = "gpt-4o", InputPerMillion = 2.75m, OutputPerMillion = 11m },
        ]);

        catalog.FindPrice("azure.ai.openai", "gpt-4o", Now).InputPerMillion.Should().Be(2.75m);
        catalog.FindPrice("azure", "gpt-4o", Now).InputPerMillion.Should().Be(2.75m); // same catalog provider
        catalog.FindPrice("openai", "gpt-4o", Now).InputPerMillion.Should().Be(2.5m);
    }

    [Fact]
    public void An_override_with_a_start_date_applies_from_that_date_and_the_catalog_before_it()
    {
        var from = DateTimeOffset.Parse("2027-01-01T00:00:00Z", CultureInfo.InvariantCulture);
        var catalog = PriceCatalog.Default.WithPrices(
        [
            new ModelPriceDefinition { Provider = "openai", Model = "gpt-4o", InputPerMillion = 1m, OutputPerMillion = 4m, EffectiveFrom = from },
        ]);

        catalog.FindPrice("openai", "gpt-4o", from.AddTicks(-1)).InputPerMillion.Should().Be(2.5m);
        var after = catalog.FindPrice("openai", "gpt-4o", from);
        after.InputPerMillion.Should().Be(1m);
        after.EffectiveFrom.Should().Be(from);
    }

    [Fact]
    public void An_override_can_price_a_model_the_catalog_does_not_know_in_another_currency()
    {
        var catalog = PriceCatalog.Default.WithPrices(
        [
            new ModelPriceDefinition { Provider = "acme", Model = "acme-large", Currency = "EUR", InputPerMillion = 1m, OutputPerMillion = 2m, PerRequest = 0.001m },
        ]);

        // 1,000 x 1 + 1,000 x 2 = 3,000 / 1e6 = 0.003; + 0.001 per request = 0.004 EUR
        catalog.FindPrice("acme", "acme-large", Now).CalculateCost(new TokenUsage { InputTokens = 1_000, OutputTokens = 1_000 })
            .Should().Be(new Money(0.004m, "EUR"));
    }

    [Fact]
    public void Override_tiers_fall_back_to_the_definition_prices()
    {
        var definition = new ModelPriceDefinition { Model = "long-ctx", InputPerMillion = 1m, CachedInputPerMillion = 0.1m, OutputPerMillion = 5m };
        definition.Tiers.Add(new PriceTierDefinition { AboveInputTokens = 100_000, InputPerMillion = 2m });
        var price = PriceCatalog.Default.WithPrices([definition]).FindPrice(null, "long-ctx", Now);

        price.Find("input_tokens")!.Tiers.Should().Equal(new UnitPriceTier(100_000, 2m));
        price.Find("input_tokens")!.PriceAt(100_001).Should().Be(2m);
        price.Find("cache_read_tokens")!.PriceAt(100_001).Should().Be(0.1m); // set on the definition, not on the tier
        price.Find("output_tokens")!.PriceAt(100_001).Should().Be(5m);
    }

    [Fact]
    public void Prices_bind_from_configuration_and_override_the_catalog()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AiOrchestrator:Pricing:Prices:0:Provider"] = "anthropic",
            ["AiOrchestrator:Pricing:Prices:0:Model"] = "claude-sonnet-4-5",
            ["AiOrchestrator:Pricing:Prices:0:InputPerMillion"] = "2.4",
            ["AiOrchestrator:Pricing:Prices:0:OutputPerMillion"] = "12",
            ["AiOrchestrator:Pricing:Prices:0:CacheWrite1hPerMillion"] = "4.8",
            ["AiOrchestrator:Pricing:Prices:0:Tiers:0:AboveInputTokens"] = "200000",
            ["AiOrchestrator:Pricing:Prices:0:Tiers:0:InputPerMillion"] = "4.8",
            ["AiOrchestrator:Pricing:Prices:1:Model"] = "in-house-*",
            ["AiOrchestrator:Pricing:Prices:1:Currency"] = "EUR",
            ["AiOrchestrator:Pricing:Prices:1:InputPerMillion"] = "0.5",
            ["AiOrchestrator:Pricing:Prices:1:OutputPerMillion"] = "0.5",
            ["AiOrchestrator:Pricing:Prices:1:EffectiveFrom"] = "2026-01-01T00:00:00Z",
            ["AiOrchestrator:Pricing:UnpricedModels"] = "Reject",
        }).Build();

        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddOptions<PricingOptions>().BindConfiguration(PricingOptions.SectionName);
        services.AddSingleton<IValidateOptions<PricingOptions>, PricingOptionsValidator>();
        using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<IOptions<PricingOptions>>().Value;
        var calculator = new CostCalculator(options);

        // Input 11,000 of which 1,000 written to the 1-hour cache:
        // uncached 10,000 x 2.4 = 24,000; 1h write 1,000 x 4.8 = 4,800; output 1,000 x 12 = 12,000 -> 40,800 / 1e6 = 0.0408
        var usage = new TokenUsage { InputTokens = 11_000, CacheWrite1hTokens = 1_000, OutputTokens = 1_000 };
        calculator.Calculate("anthropic", "claude-sonnet-4-5-20250929", usage, Now).Cost.Should().Be(Money.Usd(0.0408m));
        calculator.GetPrice("anthropic", "claude-sonnet-4-5", Now).Find("input_tokens")!.Tiers[0].Price.Should().Be(4.8m);

        var inHouse = calculator.GetPrice(null, "in-house-7b", Now);
        inHouse.Currency.Should().Be("EUR");
        inHouse.EffectiveFrom.Should().Be(DateTimeOffset.Parse("2026-01-01T00:00:00Z", CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Invalid_prices_in_configuration_fail_options_validation_with_the_key()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AiOrchestrator:Pricing:Prices:0:Model"] = "gpt-4o",
            ["AiOrchestrator:Pricing:Prices:0:InputPerMillion"] = "-1",
            ["AiOrchestrator:Pricing:Prices:0:OutputPerMillion"] = "10",
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddOptions<PricingOptions>().BindConfiguration(PricingOptions.SectionName);
        services.AddSingleton<IValidateOptions<PricingOptions>, PricingOptionsValidator>();
        using var provider = services.BuildServiceProvider();

        var act = () => provider.GetRequiredService<IOptions<PricingOptions>>().Value;
        act.Should().Throw<OptionsValidationException>()
            .WithMessage("*AiOrchestrator:Pricing:Prices:0:InputPerMillion is -1*cannot be negative*");
    }
}
