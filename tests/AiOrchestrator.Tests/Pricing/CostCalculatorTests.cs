using System.Globalization;
using AiOrchestrator.Pricing;

namespace AiOrchestrator.Tests.Pricing;

public class CostCalculatorTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-06-01T12:00:00Z", CultureInfo.InvariantCulture);

    [Fact]
    public void Unpriced_model_is_rejected_by_default_with_a_message_that_says_how_to_add_a_price()
    {
        var calculator = new CostCalculator(new PricingOptions());

        var act = () => calculator.Calculate("acme", "acme-large-2", new TokenUsage { InputTokens = 10, OutputTokens = 10 }, Now);

        var error = act.Should().Throw<UnpricedModelException>().Which;
        error.Provider.Should().Be("acme");
        error.ModelId.Should().Be("acme-large-2");
        error.Message.Should().Contain("'acme-large-2'")
            .And.Contain("provider 'acme'")
            .And.Contain("options.Prices.Add(new ModelPriceDefinition { Provider = \"acme\", Model = \"acme-large-2\"")
            .And.Contain("AiOrchestrator:Pricing:Prices")
            .And.Contain("AiOrchestrator:Pricing:UnpricedModels")
            .And.Contain("UseFallbackPrice");
    }

    [Fact]
    public void Unpriced_model_with_unknown_provider_says_so()
    {
        var act = () => new CostCalculator(new PricingOptions()).GetPrice(null, "mystery", Now);
        act.Should().Throw<UnpricedModelException>().WithMessage("*'mystery' from a call that named no provider*")
            .Which.Reason.Should().Be(UnpricedReason.UnknownModel);
    }

    [Fact]
    public void Fallback_policy_prices_unpriced_models_with_the_fallback_and_marks_it()
    {
        var options = new PricingOptions
        {
            UnpricedModels = UnpricedModelPolicy.UseFallbackPrice,
            FallbackPrice = new ModelPriceDefinition { InputPerMillion = 10m, OutputPerMillion = 30m },
        };
        var calculator = new CostCalculator(options);

        // 2,000 x 10 + 1,000 x 30 = 50,000 / 1e6 = 0.05 USD
        var cost = calculator.Calculate("acme", "acme-large-2", new TokenUsage { InputTokens = 2_000, OutputTokens = 1_000 }, Now);
        cost.Cost.Should().Be(Money.Usd(0.05m));
        cost.UsedFallbackPrice.Should().BeTrue();
        cost.Price.Source.Should().Be(PriceSource.Fallback);

        // Known models keep their real price.
        var known = calculator.Calculate("openai", "gpt-4o", new TokenUsage { InputTokens = 2_000, OutputTokens = 1_000 }, Now);
        known.UsedFallbackPrice.Should().BeFalse();
        known.Cost.Should().Be(Money.Usd(0.015m)); // 2,000 x 2.5 + 1,000 x 10 = 15,000 / 1e6
    }

    [Fact]
    public void Cost_is_never_silently_zero_for_a_model_listed_without_prices()
    {
        var act = () => new CostCalculator(new PricingOptions()).Calculate("openai", "omni-moderation-latest", new TokenUsage { InputTokens = 100 }, Now);
        act.Should().Throw<UnpricedModelException>();
    }

    [Fact]
    public void Invalid_options_are_refused_when_the_calculator_is_built()
    {
        var options = new PricingOptions { UnpricedModels = UnpricedModelPolicy.UseFallbackPrice };
        var act = () => new CostCalculator(options);
        act.Should().Throw<Microsoft.Extensions.Options.OptionsValidationException>()
            .WithMessage("*AiOrchestrator:Pricing:FallbackPrice is not set*");
    }

    [Fact]
    public void Inconsistent_usage_is_refused_rather_than_priced()
    {
        var act = () => new CostCalculator(new PricingOptions()).Calculate("openai", "gpt-4o", new TokenUsage { InputTokens = 10, CachedInputTokens = 20 }, Now);
        act.Should().Throw<InvalidUsageException>();
    }
}
