using AiOrchestrator.Pricing;

namespace AiOrchestrator.Tests.Pricing;

public class PricingOptionsValidatorTests
{
    private static IEnumerable<string> Failures(PricingOptions options)
    {
        var result = new PricingOptionsValidator().Validate(null, options);
        return result.Succeeded ? [] : result.Failures!;
    }

    [Fact]
    public void Default_options_are_valid()
        => new PricingOptionsValidator().Validate(null, new PricingOptions()).Succeeded.Should().BeTrue();

    [Fact]
    public void Negative_price_names_the_key_and_the_fix()
    {
        var options = new PricingOptions();
        options.Prices.Add(new ModelPriceDefinition { Model = "m", InputPerMillion = 1m, OutputPerMillion = 1m, CachedInputPerMillion = -0.5m });
        Failures(options).Should().ContainSingle()
            .Which.Should().Be("AiOrchestrator:Pricing:Prices:0:CachedInputPerMillion is -0.5; prices cannot be negative. Set it to the list price (0 if free), or remove it to use its fallback.");
    }

    [Fact]
    public void Missing_model_names_the_key_and_shows_valid_values()
    {
        var options = new PricingOptions();
        options.Prices.Add(new ModelPriceDefinition { Model = "ok", InputPerMillion = 1m, OutputPerMillion = 1m });
        options.Prices.Add(new ModelPriceDefinition { InputPerMillion = 1m, OutputPerMillion = 1m });
        Failures(options).Should().ContainSingle()
            .Which.Should().StartWith("AiOrchestrator:Pricing:Prices:1:Model is missing.").And.Contain("\"gpt-4o\"").And.Contain("\"ft:gpt-4o*\"");
    }

    [Fact]
    public void A_star_anywhere_but_the_end_is_refused()
    {
        var options = new PricingOptions();
        options.Prices.Add(new ModelPriceDefinition { Model = "gpt-*-mini", InputPerMillion = 1m, OutputPerMillion = 1m });
        Failures(options).Should().ContainSingle().Which.Should().Contain("Prices:0:Model").And.Contain("prefix pattern");
    }

    [Fact]
    public void Missing_input_or_output_price_is_refused()
    {
        var options = new PricingOptions();
        options.Prices.Add(new ModelPriceDefinition { Model = "m" });
        Failures(options).Should().BeEquivalentTo(
        [
            "AiOrchestrator:Pricing:Prices:0:InputPerMillion is missing. Set the price per million input tokens (0 if input is free).",
            "AiOrchestrator:Pricing:Prices:0:OutputPerMillion is missing. Set the price per million output tokens (0 for models without output, such as embeddings).",
        ]);
    }

    [Fact]
    public void Fallback_policy_without_a_fallback_price_names_both_settings()
    {
        var options = new PricingOptions { UnpricedModels = UnpricedModelPolicy.UseFallbackPrice };
        Failures(options).Should().ContainSingle().Which.Should()
            .Contain("AiOrchestrator:Pricing:UnpricedModels is UseFallbackPrice but AiOrchestrator:Pricing:FallbackPrice is not set")
            .And.Contain("AiOrchestrator:Pricing:FallbackPrice:InputPerMillion")
            .And.Contain("or set AiOrchestrator:Pricing:UnpricedModels to Reject");
    }

    [Theory]
    [InlineData("usd")]
    [InlineData("US")]
    [InlineData("DOLLARS")]
    [InlineData("")]
    public void Bad_currency_is_refused(string currency)
    {
        var options = new PricingOptions();
        options.Prices.Add(new ModelPriceDefinition { Model = "m", Currency = currency, InputPerMillion = 1m, OutputPerMillion = 1m });
        Failures(options).Should().ContainSingle().Which.Should()
            .StartWith($"AiOrchestrator:Pricing:Prices:0:Currency is \"{currency}\"").And.Contain("\"USD\"");
    }

    [Fact]
    public void Bad_fallback_price_and_tiers_are_reported_with_their_keys()
    {
        var options = new PricingOptions
        {
            UnpricedModels = UnpricedModelPolicy.UseFallbackPrice,
            FallbackPrice = new ModelPriceDefinition { InputPerMillion = 1m, OutputPerMillion = -2m },
        };
        var definition = new ModelPriceDefinition { Model = "m", InputPerMillion = 1m, OutputPerMillion = 1m };
        definition.Tiers.Add(new PriceTierDefinition { AboveInputTokens = 0, InputPerMillion = 2m });
        definition.Tiers.Add(new PriceTierDefinition { AboveInputTokens = 1000, OutputPerMillion = -1m });
        definition.Tiers.Add(new PriceTierDefinition { AboveInputTokens = 1000 });
        options.Prices.Add(definition);

        var failures = Failures(options).ToList();
        failures.Should().HaveCount(4);
        failures.Should().Contain(f => f.StartsWith("AiOrchestrator:Pricing:FallbackPrice:OutputPerMillion is -2"));
        failures.Should().Contain(f => f.StartsWith("AiOrchestrator:Pricing:Prices:0:Tiers:0:AboveInputTokens is 0"));
        failures.Should().Contain(f => f.StartsWith("AiOrchestrator:Pricing:Prices:0:Tiers:1:OutputPerMillion is -1"));
        failures.Should().Contain(f => f.StartsWith("AiOrchestrator:Pricing:Prices:0:Tiers:2:AboveInputTokens repeats 1000"));
    }

    [Fact]
    public void WithPrices_refuses_invalid_definitions_with_the_same_messages()
    {
        var act = () => PriceCatalog.Default.WithPrices([new ModelPriceDefinition { Model = "m", InputPerMillion = -1m, OutputPerMillion = 1m }]);
        act.Should().Throw<ArgumentException>().WithMessage("*Prices:0:InputPerMillion is -1*");
    }
}
