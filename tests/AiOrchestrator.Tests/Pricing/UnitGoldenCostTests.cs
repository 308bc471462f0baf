using System.Globalization;
using AiOrchestrator.Pricing;

namespace AiOrchestrator.Tests.Pricing;

/// <summary>
/// Costs by unit from the shipped catalog (genai-prices v2 feed), each worked out by hand in the comments: long-context
/// tiers, one-hour cache writes, web searches, audio in and out, cached audio, image output, reasoning and citations,
/// per-request prices, time-of-day prices and declared fallback providers.
/// </summary>
public class UnitGoldenCostTests
{
    private static readonly DateTimeOffset Late2026 = At("2026-11-01T20:00:00Z");

    private static DateTimeOffset At(string iso) => DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture);

    private static CallCost Cost(string provider, string model, TokenUsage usage, DateTimeOffset? at = null)
        => new CostCalculator(new PricingOptions()).Calculate(provider, model, usage, at ?? Late2026);

    private static TokenUsage ClaudeUsage(long input) => new()
    {
        InputTokens = input, CachedInputTokens = 100_000, CacheWriteTokens = 20_000, CacheWrite1hTokens = 30_000,
        OutputTokens = 2_000, WebSearches = 3,
    };

    [Fact]
    public void Claude_above_200k_input_prices_every_unit_at_its_long_context_tier()
    {
        // claude-sonnet-4-5 above 200,000 input: input 6, cache read 0.6, cache write 7.5, 1h write 12, output 22.5.
        // 1h writes 30,000 x 12 = 360,000; 5m writes 20,000 x 7.5 = 150,000; reads 100,000 x 0.6 = 60,000;
        // plain 250,000 - 150,000 = 100,000 x 6 = 600,000 -> input 1,170,000 / 1e6 = 1.17
        // output 2,000 x 22.5 = 45,000 / 1e6 = 0.045; 3 searches x 10 / 1,000 = 0.03 (not tiered) -> 1.245
        var cost = Cost("anthropic", "claude-sonnet-4-5-20250929", ClaudeUsage(250_000));
        cost.InputCost.Should().Be(1.17m);
        cost.OutputCost.Should().Be(0.045m);
        cost.OtherCost.Should().Be(0.03m);
        cost.Cost.Should().Be(Money.Usd(1.245m));
        cost.Parts.Single(p => p.Unit.Id == "cache_write_1h_tokens").Should().Be(new UnitCost(cost.Parts.Single(p => p.Unit.Id == "cache_write_1h_tokens").Unit, 30_000, 12m, 0.36m));
    }

    [Fact]
    public void Claude_at_exactly_200k_input_stays_at_base_prices()
    {
        // Base: input 3, read 0.3, write 3.75, 1h write 6, output 15.
        // 30,000 x 6 = 180,000; 20,000 x 3.75 = 75,000; 100,000 x 0.3 = 30,000; 50,000 x 3 = 150,000 -> 0.435
        // output 2,000 x 15 = 30,000 -> 0.03; searches 0.03 -> 0.495
        var cost = Cost("anthropic", "claude-sonnet-4-5", ClaudeUsage(200_000));
        cost.InputCost.Should().Be(0.435m);
        cost.Cost.Should().Be(Money.Usd(0.495m));
    }

    [Fact]
    public void A_one_hour_cache_write_is_never_billed_as_a_five_minute_one()
    {
        // Only 1h writes: 10,000 x 6 = 60,000 -> 0.06 (at the 5m price it would be 0.0375).
        var cost = Cost("anthropic", "claude-sonnet-4-5", new TokenUsage { InputTokens = 10_000, CacheWrite1hTokens = 10_000 });
        cost.Cost.Should().Be(Money.Usd(0.06m));
        cost.Parts.Single(p => p.Unit.Id == "cache_write_tokens").Count.Should().Be(0);
    }

    [Fact]
    public void Gemini_audio_input_and_cached_audio_are_priced_apart_from_text()
    {
        // gemini-2.5-flash: input 0.3, cache read 0.03, audio input 1, cached audio 0.1, output 2.5.
        // Input 10,000: audio 4,000 of which 1,000 cached; cache reads 3,000 (1,000 of them audio).
        // cached audio 1,000 x 0.1 = 100; other reads 2,000 x 0.03 = 60; uncached audio 3,000 x 1 = 3,000;
        // plain 10,000 - 2,000 - 3,000 - 1,000 = 4,000 x 0.3 = 1,200 -> 4,360 / 1e6 = 0.00436; output 1,000 x 2.5 -> 0.0025
        var usage = new TokenUsage { InputTokens = 10_000, InputAudioTokens = 4_000, CachedInputTokens = 3_000, CachedAudioInputTokens = 1_000, OutputTokens = 1_000 };
        var cost = Cost("gcp.gemini", "gemini-2.5-flash", usage);
        cost.InputCost.Should().Be(0.00436m);
        cost.Cost.Should().Be(Money.Usd(0.00686m));
    }

    [Fact]
    public void Gemini_image_models_price_text_and_thinking_output_apart_from_image_output()
    {
        // gemini-2.5-flash-image: input 0.3, output 2.5, image output 30; reasoning has no price of its own -> output.
        // Output 1,590: image 1,290 x 30 = 38,700; text and thinking 300 x 2.5 = 750 -> 0.03945; input 500 x 0.3 -> 0.00015
        var usage = new TokenUsage { InputTokens = 500, OutputTokens = 1_590, OutputImageTokens = 1_290, ReasoningTokens = 100 };
        var cost = Cost("google", "gemini-2.5-flash-image", usage);
        cost.OutputCost.Should().Be(0.03945m);
        cost.Cost.Should().Be(Money.Usd(0.0396m));
    }

    [Fact]
    public void Realtime_audio_in_and_out_with_cached_audio()
    {
        // gpt-realtime: input 4, read 0.4, audio in 32, cached audio 0.4, audio out 64, output 16.
        // Input 5,000: audio 3,000 (1,000 cached); reads 1,500 (500 text).
        // cached audio 1,000 x 0.4 = 400; text reads 500 x 0.4 = 200; uncached audio 2,000 x 32 = 64,000; plain 1,500 x 4 = 6,000
        // output 2,000: audio 1,500 x 64 = 96,000; text 500 x 16 = 8,000 -> 174,600 / 1e6 = 0.1746
        var usage = new TokenUsage
        {
            InputTokens = 5_000, InputAudioTokens = 3_000, CachedAudioInputTokens = 1_000, CachedInputTokens = 1_500,
            OutputTokens = 2_000, OutputAudioTokens = 1_500,
        };
        var cost = Cost("openai", "gpt-realtime", usage);
        cost.InputCost.Should().Be(0.0706m);
        cost.OutputCost.Should().Be(0.104m);
        cost.Cost.Should().Be(Money.Usd(0.1746m));
    }

    [Fact]
    public void Perplexity_reasoning_citations_and_searches_each_have_their_price()
    {
        // sonar-deep-research: input 2, output 8, reasoning 3, citations 2, searches 5 per thousand.
        // input 1,000 x 2 = 2,000; reasoning 3,000 x 3 = 9,000; citations 1,000 x 2 = 2,000; text 1,000 x 8 = 8,000
        // -> 21,000 / 1e6 = 0.021; 4 searches x 5 / 1,000 = 0.02 -> 0.041
        var usage = new TokenUsage { InputTokens = 1_000, OutputTokens = 5_000, ReasoningTokens = 3_000, CitationTokens = 1_000, WebSearches = 4 };
        var cost = Cost("perplexity", "sonar-deep-research", usage);
        cost.OtherCost.Should().Be(0.02m);
        cost.Cost.Should().Be(Money.Usd(0.041m));
        cost.IsComplete.Should().BeTrue();
    }

    [Fact]
    public void A_per_request_price_is_charged_once_per_call()
    {
        // sonar-pro: input 3, output 15, requests 14 per thousand: 0.003 + 0.015 + 0.014 = 0.032
        var cost = Cost("perplexity", "sonar-pro", new TokenUsage { InputTokens = 1_000, OutputTokens = 1_000 });
        cost.OtherCost.Should().Be(0.014m);
        cost.Cost.Should().Be(Money.Usd(0.032m));
        cost.Price.PerRequest.Should().Be(0.014m);
    }

    [Fact]
    public void Web_searches_of_a_model_with_no_search_price_are_reported()
    {
        var cost = Cost("openai", "gpt-4o", new TokenUsage { InputTokens = 1_000_000, WebSearches = 2 });
        cost.Cost.Should().Be(Money.Usd(2.5m));
        cost.UnpricedUnits.Should().Equal("web_searches");
    }

    [Theory]
    // DeepSeek's standard price runs 00:30-16:30 UTC; the off-peak price applies outside it.
    // Input 3,000 of which 2,000 cached; output 1,000.
    // standard: plain 1,000 x 0.27 = 270; reads 2,000 x 0.07 = 140; output 1,000 x 1.1 = 1,100 -> 1,510 / 1e6
    [InlineData("2026-11-01T12:00:00Z", "0.00151")]
    // off-peak: 1,000 x 0.135 = 135; 2,000 x 0.035 = 70; 1,000 x 0.55 = 550 -> 755 / 1e6
    [InlineData("2026-11-01T20:00:00Z", "0.000755")]
    [InlineData("2026-11-01T00:29:59Z", "0.000755")]
    [InlineData("2026-11-01T00:30:00Z", "0.00151")]
    public void DeepSeek_is_priced_by_time_of_day(string at, string expected)
    {
        var usage = new TokenUsage { InputTokens = 3_000, CachedInputTokens = 2_000, OutputTokens = 1_000 };
        Cost("deepseek", "deepseek-chat", usage, At(at)).Cost.Amount.Should().Be(decimal.Parse(expected, CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Azure_prices_an_OpenAI_model_from_OpenAI_list_and_says_so()
    {
        var cost = Cost("azure.ai.openai", "gpt-4o", new TokenUsage { InputTokens = 1_000_000, OutputTokens = 100_000 });
        cost.Price.Provider.Should().Be("openai");
        cost.UsedFallbackProvider.Should().BeTrue();
        cost.UsedFallbackPrice.Should().BeFalse();
        cost.Cost.Should().Be(Money.Usd(3.5m));
    }
}
