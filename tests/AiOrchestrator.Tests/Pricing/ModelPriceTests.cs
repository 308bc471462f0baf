using System.Globalization;
using AiOrchestrator.Pricing;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace AiOrchestrator.Tests.Pricing;

public class ModelPriceTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-06-01T12:00:00Z", CultureInfo.InvariantCulture);

    private static ModelPrice Price(string provider, string model) => PriceCatalog.Default.FindPrice(provider, model, Now);

    [Fact]
    public void Max_cost_uses_the_tier_of_the_input_and_the_highest_output_price()
    {
        // claude-sonnet-4-5, 250,000 input -> long-context tier: input 6, output 22.5.
        // 250,000 x 6 = 1,500,000; 4,000 x 22.5 = 90,000 -> 1,590,000 / 1e6 = 1.59 USD
        Price("anthropic", "claude-sonnet-4-5").EstimateMaxCost(250_000, 4_000).Should().Be(Money.Usd(1.59m));

        // gpt-4o-mini-tts: output 12, audio output 12; gpt-4o-mini-realtime: output 2.4, audio output 20 -> max 20.
        // 1,000 x 0.6 = 600; 1,000 x 20 = 20,000 -> 20,600 / 1e6 = 0.0206
        Price("openai", "gpt-4o-mini-realtime-preview").EstimateMaxCost(1_000, 1_000).Should().Be(Money.Usd(0.0206m));
    }

    [Fact]
    public void Max_affordable_output_tokens_fits_the_budget()
    {
        // gpt-4o: input 2.5, output 10. 1 USD - 100,000 x 2.5 / 1e6 (0.25) = 0.75 left -> 0.75 x 1e6 / 10 = 75,000 tokens
        var price = Price("openai", "gpt-4o");
        price.MaxAffordableOutputTokens(Money.Usd(1m), 100_000).Should().Be(75_000);
        price.MaxAffordableOutputTokens(Money.Usd(0.25m), 100_000).Should().Be(0);
        price.MaxAffordableOutputTokens(Money.Usd(0.1m), 100_000).Should().Be(0);
    }

    [Fact]
    public void Max_affordable_output_tokens_refuses_another_currency()
    {
        var act = () => Price("openai", "gpt-4o").MaxAffordableOutputTokens(new Money(1m, "EUR"), 10);
        act.Should().Throw<CurrencyMismatchException>();
    }

    [Fact]
    public void Free_output_is_unlimited()
    {
        var price = PriceCatalog.Default.WithPrices([new ModelPriceDefinition { Model = "embedder", InputPerMillion = 0.02m, OutputPerMillion = 0m }])
            .FindPrice(null, "embedder", Now);
        price.MaxAffordableOutputTokens(Money.Usd(1m), 1_000).Should().Be(long.MaxValue);
    }

    [Property(MaxTest = 200)]
    public Property The_affordable_output_is_the_most_the_estimate_allows(PositiveInt input, PositiveInt output)
    {
        var price = Price("anthropic", "claude-sonnet-4-5");
        var inputTokens = (long)input.Get * 7;
        var outputTokens = (long)output.Get;
        var budget = price.EstimateMaxCost(inputTokens, outputTokens);
        var affordable = price.MaxAffordableOutputTokens(budget, inputTokens);
        return (affordable >= outputTokens
                && price.EstimateMaxCost(inputTokens, affordable) <= budget
                && price.EstimateMaxCost(inputTokens, affordable + 1) > budget)
            .ToProperty();
    }

    [Property(MaxTest = 200)]
    public Property Cost_is_exact_and_additive_over_token_kinds(PositiveInt cached, PositiveInt uncached, PositiveInt reasoning, PositiveInt text)
    {
        // Splitting one usage into input-only and output-only parts costs the same in total (same tier).
        var price = Price("openai", "o4-mini");
        var input = (long)cached.Get + uncached.Get;
        var whole = new TokenUsage { InputTokens = input, CachedInputTokens = cached.Get, OutputTokens = (long)reasoning.Get + text.Get, ReasoningTokens = reasoning.Get };
        var inputOnly = whole with { OutputTokens = 0, ReasoningTokens = 0 };
        var outputOnly = new TokenUsage { InputTokens = 0, OutputTokens = whole.OutputTokens, ReasoningTokens = reasoning.Get };
        var expected = ((uncached.Get * 1.1m) + (cached.Get * 0.275m) + (whole.OutputTokens * 4.4m)) / 1_000_000m;
        return (price.CalculateCost(whole).Amount == expected
                && price.CalculateCost(inputOnly) + price.CalculateCost(outputOnly) == price.CalculateCost(whole))
            .ToProperty();
    }

    [Fact]
    public void Negative_token_counts_are_refused_by_the_estimate()
    {
        var act = () => Price("openai", "gpt-4o").EstimateMaxCost(-1, 10);
        act.Should().Throw<ArgumentOutOfRangeException>();
    }
}
