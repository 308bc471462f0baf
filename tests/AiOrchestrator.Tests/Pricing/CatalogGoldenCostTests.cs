using System.Globalization;
using AiOrchestrator.Pricing;

namespace AiOrchestrator.Tests.Pricing;

/// <summary>
/// Costs from the shipped catalog, each checked against arithmetic done by hand in the comment above it.
/// Prices are USD per million tokens; cost = sum(tokens x price) / 1,000,000.
/// </summary>
public class CatalogGoldenCostTests
{
    private static readonly DateTimeOffset Mid2026 = At("2026-06-01T12:00:00Z");

    private static DateTimeOffset At(string iso) => DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture);

    private static Money Cost(string? provider, string model, TokenUsage usage, DateTimeOffset at)
        => PriceCatalog.Default.FindPrice(provider, model, at).CalculateCost(usage);

    [Fact]
    public void OpenAI_gpt_4o_with_cached_input()
    {
        // gpt-4o: input 2.5, cached input 1.25, output 10.
        // uncached 12,345 - 2,048 = 10,297 x 2.5  = 25,742.5
        // cached             2,048 x 1.25 =  2,560
        // output               789 x 10   =  7,890
        // total 36,192.5 / 1e6 = 0.0361925 USD
        var usage = new TokenUsage { InputTokens = 12_345, CachedInputTokens = 2_048, OutputTokens = 789 };
        Cost("openai", "gpt-4o", usage, Mid2026).Should().Be(Money.Usd(0.0361925m));
    }

    [Fact]
    public void OpenAI_gpt_4_1_with_cached_input()
    {
        // gpt-4.1: input 2, cached 0.5, output 8.
        // uncached 100,000 - 60,000 = 40,000 x 2 = 80,000; cached 60,000 x 0.5 = 30,000; output 5,000 x 8 = 40,000
        // total 150,000 / 1e6 = 0.15 USD
        var usage = new TokenUsage { InputTokens = 100_000, CachedInputTokens = 60_000, OutputTokens = 5_000 };
        Cost("openai", "gpt-4.1", usage, Mid2026).Should().Be(Money.Usd(0.15m));
    }

    [Fact]
    public void OpenAI_o3_reasoning_is_billed_at_the_output_price_and_follows_the_price_history()
    {
        // Usage: 5,000 input (1,000 cached), 3,000 output of which 2,500 reasoning (text output 500).
        var usage = new TokenUsage { InputTokens = 5_000, CachedInputTokens = 1_000, OutputTokens = 3_000, ReasoningTokens = 2_500 };

        // From 2025-06-10: input 2, cached 0.5, output 8 (reasoning = output).
        // 4,000 x 2 = 8,000; 1,000 x 0.5 = 500; 500 x 8 = 4,000; 2,500 x 8 = 20,000 -> 32,500 / 1e6 = 0.0325
        Cost("openai", "o3", usage, At("2025-06-10T00:00:00Z")).Should().Be(Money.Usd(0.0325m));

        // Before: input 10, cached 0.5, output 40.
        // 4,000 x 10 = 40,000; 1,000 x 0.5 = 500; 500 x 40 = 20,000; 2,500 x 40 = 100,000 -> 160,500 / 1e6 = 0.1605
        Cost("openai", "o3", usage, At("2025-06-09T23:59:59Z")).Should().Be(Money.Usd(0.1605m));
    }

    [Fact]
    public void Anthropic_claude_sonnet_with_cache_read_and_5_minute_and_1_hour_cache_writes()
    {
        // claude-sonnet-4-5 (dated snapshot id): input 3, cache read 0.3, cache write 5m 3.75, cache write 1h 6 (2 x input), output 15.
        // Input 50,000 = 20,000 cache read + 10,000 write 5m + 5,000 write 1h + 15,000 uncached.
        // 15,000 x 3 = 45,000; 20,000 x 0.3 = 6,000; 10,000 x 3.75 = 37,500; 5,000 x 6 = 30,000; output 1,000 x 15 = 15,000
        // total 133,500 / 1e6 = 0.1335 USD
        var usage = new TokenUsage
        {
            InputTokens = 50_000,
            CachedInputTokens = 20_000,
            CacheWriteTokens = 10_000,
            CacheWrite1hTokens = 5_000,
            OutputTokens = 1_000,
        };
        Cost("anthropic", "claude-sonnet-4-5-20250929", usage, Mid2026).Should().Be(Money.Usd(0.1335m));
    }

    [Fact]
    public void Anthropic_long_context_tier_applies_to_every_token_above_200k_input()
    {
        // Above 200,000 input tokens: input 6, cache read 0.6, cache write 7.5, output 22.5.
        // Input 250,000 = 100,000 read + 50,000 write 5m + 100,000 uncached.
        // 100,000 x 6 = 600,000; 100,000 x 0.6 = 60,000; 50,000 x 7.5 = 375,000; output 2,000 x 22.5 = 45,000
        // total 1,080,000 / 1e6 = 1.08 USD
        var usage = new TokenUsage { InputTokens = 250_000, CachedInputTokens = 100_000, CacheWriteTokens = 50_000, OutputTokens = 2_000 };
        Cost("anthropic", "claude-sonnet-4-5", usage, Mid2026).Should().Be(Money.Usd(1.08m));
    }

    [Fact]
    public void Gemini_long_context_tier_starts_above_200k_input_tokens()
    {
        // gemini-2.5-pro: up to 200,000 input: input 1.25, output 10; above: input 2.5, output 15.
        // 200,000 x 1.25 = 250,000; 1,000 x 10 = 10,000 -> 260,000 / 1e6 = 0.26
        Cost("gcp.gemini", "gemini-2.5-pro", new TokenUsage { InputTokens = 200_000, OutputTokens = 1_000 }, Mid2026)
            .Should().Be(Money.Usd(0.26m));

        // 200,001 x 2.5 = 500,002.5; 1,000 x 15 = 15,000 -> 515,002.5 / 1e6 = 0.5150025
        Cost("gcp.gemini", "gemini-2.5-pro", new TokenUsage { InputTokens = 200_001, OutputTokens = 1_000 }, Mid2026)
            .Should().Be(Money.Usd(0.5150025m));
    }

    [Fact]
    public void DeepSeek_price_depends_on_the_time_of_day()
    {
        // Input 1,000,000 (400,000 cached), output 100,000.
        var usage = new TokenUsage { InputTokens = 1_000_000, CachedInputTokens = 400_000, OutputTokens = 100_000 };

        // Standard hours 00:30-16:30 UTC: input 0.27, cached 0.07, output 1.1.
        // 600,000 x 0.27 = 162,000; 400,000 x 0.07 = 28,000; 100,000 x 1.1 = 110,000 -> 300,000 / 1e6 = 0.30
        Cost("deepseek", "deepseek-chat", usage, At("2026-06-01T10:00:00Z")).Should().Be(Money.Usd(0.30m));
        Cost("deepseek", "deepseek-chat", usage, At("2026-06-01T00:30:00Z")).Should().Be(Money.Usd(0.30m));

        // Off-peak (16:30-00:30 UTC): input 0.135, cached 0.035, output 0.55.
        // 600,000 x 0.135 = 81,000; 400,000 x 0.035 = 14,000; 100,000 x 0.55 = 55,000 -> 150,000 / 1e6 = 0.15
        Cost("deepseek", "deepseek-chat", usage, At("2026-06-01T16:30:00Z")).Should().Be(Money.Usd(0.15m));
        Cost("deepseek", "deepseek-chat", usage, At("2026-06-01T08:00:00+08:00")).Should().Be(Money.Usd(0.15m)); // 00:00 UTC
    }

    [Fact]
    public void Groq_through_an_OpenAI_compatible_client_is_priced_from_the_model_id()
    {
        // llama-3.1-70b-versatile (Groq): input 0.59, output 0.79.
        // 10,000 x 0.59 = 5,900; 2,000 x 0.79 = 1,580 -> 7,480 / 1e6 = 0.00748
        var usage = new TokenUsage { InputTokens = 10_000, OutputTokens = 2_000 };
        Cost("groq", "llama-3.1-70b-versatile", usage, Mid2026).Should().Be(Money.Usd(0.00748m));

        // An OpenAI SDK client pointed at Groq reports "openai", but its endpoint names Groq.
        var provider = PriceCatalog.Default.ProviderFor("openai", new Uri("https://api.groq.com/openai/v1"));
        provider.Should().Be("groq");
        Cost(provider, "llama-3.1-70b-versatile", usage, Mid2026).Should().Be(Money.Usd(0.00748m));
    }

    [Fact]
    public void Claude_sonnet_5_introductory_price_ends_on_2026_09_01()
    {
        // Input 1,000,000, output 100,000.
        var usage = new TokenUsage { InputTokens = 1_000_000, OutputTokens = 100_000 };

        // Until 2026-08-31: input 2, output 10 -> 2,000,000 + 1,000,000 = 3,000,000 / 1e6 = 3 USD
        Cost("anthropic", "claude-sonnet-5", usage, At("2026-08-31T23:59:59Z")).Should().Be(Money.Usd(3m));

        // From 2026-09-01: input 3, output 15 -> 3,000,000 + 1,500,000 = 4,500,000 / 1e6 = 4.5 USD
        Cost("anthropic", "claude-sonnet-5", usage, At("2026-09-01T00:00:00Z")).Should().Be(Money.Usd(4.5m));
        PriceCatalog.Default.FindPrice("anthropic", "claude-sonnet-5", At("2026-09-01T00:00:00Z")).EffectiveFrom
            .Should().Be(At("2026-09-01T00:00:00Z"));
    }

    [Fact]
    public void Audio_tokens_use_audio_prices()
    {
        // gpt-4o-mini-realtime-preview: input 0.6, output 2.4, audio input 10, audio output 20.
        // Input 3,000 = 2,000 audio + 1,000 text: 1,000 x 0.6 = 600; 2,000 x 10 = 20,000
        // Output 1,500 = 1,000 audio + 500 text: 500 x 2.4 = 1,200; 1,000 x 20 = 20,000
        // total 41,800 / 1e6 = 0.0418 USD
        var usage = new TokenUsage { InputTokens = 3_000, InputAudioTokens = 2_000, OutputTokens = 1_500, OutputAudioTokens = 1_000 };
        Cost("openai", "gpt-4o-mini-realtime-preview-2024-12-17", usage, Mid2026).Should().Be(Money.Usd(0.0418m));
    }

    [Fact]
    public void Per_request_price_is_added()
    {
        // Perplexity sonar: input 1, output 1, 12 USD per thousand requests = 0.012 per request.
        // 1,000 x 1 + 500 x 1 = 1,500 / 1e6 = 0.0015; + 0.012 = 0.0135 USD
        Cost("perplexity", "sonar", new TokenUsage { InputTokens = 1_000, OutputTokens = 500 }, Mid2026)
            .Should().Be(Money.Usd(0.0135m));
    }
}
