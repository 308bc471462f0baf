namespace AiOrchestrator.Pricing;

/// <summary>
/// A long-context tier of a <see cref="ModelPriceDefinition"/>: once a request's total input tokens are above
/// <see cref="AboveInputTokens"/>, all its tokens cost these prices. A price left unset here takes the definition's
/// own value for it (and then the usual fallbacks).
/// </summary>
public sealed class PriceTierDefinition
{
    /// <summary>The tier applies when the request's total input tokens are greater than this (for example 200000).</summary>
    public long AboveInputTokens { get; set; }

    /// <summary>Price per million plain input tokens in this tier.</summary>
    public decimal? InputPerMillion { get; set; }

    /// <summary>Price per million cached input tokens in this tier.</summary>
    public decimal? CachedInputPerMillion { get; set; }

    /// <summary>Price per million five-minute cache-write tokens in this tier.</summary>
    public decimal? CacheWritePerMillion { get; set; }

    /// <summary>Price per million one-hour cache-write tokens in this tier.</summary>
    public decimal? CacheWrite1hPerMillion { get; set; }

    /// <summary>Price per million text output tokens in this tier.</summary>
    public decimal? OutputPerMillion { get; set; }

    /// <summary>Price per million reasoning tokens in this tier.</summary>
    public decimal? ReasoningPerMillion { get; set; }

    /// <summary>Price per million audio input tokens in this tier.</summary>
    public decimal? InputAudioPerMillion { get; set; }

    /// <summary>Price per million audio output tokens in this tier.</summary>
    public decimal? OutputAudioPerMillion { get; set; }
}
