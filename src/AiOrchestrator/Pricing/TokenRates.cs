namespace AiOrchestrator.Pricing;

/// <summary>
/// Prices per million tokens of each kind, with every fallback already applied: cached input, cache writes and
/// audio input cost the input price unless priced apart; reasoning and audio output cost the output price unless
/// priced apart; the one-hour cache write costs the five-minute one unless priced apart.
/// </summary>
public sealed class TokenRates
{
    internal TokenRates(
        decimal inputPerMillion,
        decimal cachedInputPerMillion,
        decimal cacheWritePerMillion,
        decimal cacheWrite1hPerMillion,
        decimal outputPerMillion,
        decimal reasoningPerMillion,
        decimal inputAudioPerMillion,
        decimal outputAudioPerMillion)
    {
        InputPerMillion = inputPerMillion;
        CachedInputPerMillion = cachedInputPerMillion;
        CacheWritePerMillion = cacheWritePerMillion;
        CacheWrite1hPerMillion = cacheWrite1hPerMillion;
        OutputPerMillion = outputPerMillion;
        ReasoningPerMillion = reasoningPerMillion;
        InputAudioPerMillion = inputAudioPerMillion;
        OutputAudioPerMillion = outputAudioPerMillion;
        MaxOutputPerMillion = Math.Max(outputPerMillion, Math.Max(reasoningPerMillion, outputAudioPerMillion));
    }

    /// <summary>Price per million input tokens that were neither cached, cache writes, nor audio.</summary>
    public decimal InputPerMillion { get; }

    /// <summary>Price per million input tokens read from the prompt cache.</summary>
    public decimal CachedInputPerMillion { get; }

    /// <summary>Price per million input tokens written to a five-minute prompt cache.</summary>
    public decimal CacheWritePerMillion { get; }

    /// <summary>Price per million input tokens written to a one-hour prompt cache.</summary>
    public decimal CacheWrite1hPerMillion { get; }

    /// <summary>Price per million text output tokens.</summary>
    public decimal OutputPerMillion { get; }

    /// <summary>Price per million reasoning (thinking) tokens.</summary>
    public decimal ReasoningPerMillion { get; }

    /// <summary>Price per million audio input tokens.</summary>
    public decimal InputAudioPerMillion { get; }

    /// <summary>Price per million audio output tokens.</summary>
    public decimal OutputAudioPerMillion { get; }

    /// <summary>The highest price any output token can cost: used for worst-case estimates.</summary>
    internal decimal MaxOutputPerMillion { get; }

    /// <summary>Applies the fallbacks to raw prices, where <see langword="null"/> means "not priced apart".</summary>
    internal static TokenRates Resolve(
        decimal? input,
        decimal? cachedInput,
        decimal? cacheWrite,
        decimal? cacheWrite1h,
        decimal? output,
        decimal? reasoning,
        decimal? inputAudio,
        decimal? outputAudio)
    {
        var inputPrice = input ?? 0m;
        var outputPrice = output ?? 0m;
        var cacheWritePrice = cacheWrite ?? inputPrice;
        return new TokenRates(
            inputPrice,
            cachedInput ?? inputPrice,
            cacheWritePrice,
            cacheWrite1h ?? cacheWritePrice,
            outputPrice,
            reasoning ?? outputPrice,
            inputAudio ?? inputPrice,
            outputAudio ?? outputPrice);
    }
}
