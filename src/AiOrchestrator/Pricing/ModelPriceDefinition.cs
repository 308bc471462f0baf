namespace AiOrchestrator.Pricing;

/// <summary>
/// A price given in code or configuration, which adds to or overrides the shipped catalog. Prices are per million
/// tokens in <see cref="Currency"/>. Unset prices fall back: cached input, cache writes and audio input to
/// <see cref="InputPerMillion"/>; reasoning and audio output to <see cref="OutputPerMillion"/>; the one-hour cache
/// write to the five-minute one.
/// </summary>
public sealed class ModelPriceDefinition
{
    /// <summary>
    /// The provider this price is for, as the client reports it (<c>openai</c>, <c>azure.ai.openai</c>,
    /// <c>anthropic</c>...) or as a catalog id; <see langword="null"/> or empty for any provider.
    /// </summary>
    public string? Provider { get; set; }

    /// <summary>
    /// The model id (case-insensitive; it also covers dated snapshots such as <c>gpt-4o-2024-08-06</c>), or a prefix
    /// pattern ending in <c>*</c> such as <c>ft:gpt-4o*</c>. Required, except for <see cref="PricingOptions.FallbackPrice"/>.
    /// </summary>
    public string? Model { get; set; }

    /// <summary>The ISO 4217 currency of these prices. Defaults to <c>USD</c>.</summary>
    public string Currency { get; set; } = Money.DefaultCurrency;

    /// <summary>Price per million plain input tokens. Required (use 0 when input is free).</summary>
    public decimal? InputPerMillion { get; set; }

    /// <summary>Price per million input tokens read from the prompt cache; defaults to the input price.</summary>
    public decimal? CachedInputPerMillion { get; set; }

    /// <summary>Price per million tokens written to a five-minute prompt cache; defaults to the input price.</summary>
    public decimal? CacheWritePerMillion { get; set; }

    /// <summary>Price per million tokens written to a one-hour prompt cache; defaults to the five-minute price.</summary>
    public decimal? CacheWrite1hPerMillion { get; set; }

    /// <summary>Price per million text output tokens. Required (use 0 for models without output, such as embeddings).</summary>
    public decimal? OutputPerMillion { get; set; }

    /// <summary>Price per million reasoning tokens; defaults to the output price.</summary>
    public decimal? ReasoningPerMillion { get; set; }

    /// <summary>Price per million audio input tokens; defaults to the input price.</summary>
    public decimal? InputAudioPerMillion { get; set; }

    /// <summary>Price per million audio output tokens; defaults to the output price.</summary>
    public decimal? OutputAudioPerMillion { get; set; }

    /// <summary>A fixed price per request, on top of token prices. Defaults to 0.</summary>
    public decimal? PerRequest { get; set; }

    /// <summary>
    /// When this price takes effect; <see langword="null"/> for always. Several definitions for the same provider
    /// and model form a price history: the latest one in effect wins, and before the first one the catalog applies.
    /// </summary>
    public DateTimeOffset? EffectiveFrom { get; set; }

    /// <summary>Long-context tiers, by total input tokens.</summary>
    public IList<PriceTierDefinition> Tiers { get; } = new List<PriceTierDefinition>();

    /// <summary>Builds the immutable price; assumes the definition passed validation.</summary>
    internal ModelPrice ToModelPrice(string provider, string modelId, PriceSource source)
    {
        var baseRates = TokenRates.Resolve(
            InputPerMillion, CachedInputPerMillion, CacheWritePerMillion, CacheWrite1hPerMillion,
            OutputPerMillion, ReasoningPerMillion, InputAudioPerMillion, OutputAudioPerMillion);
        var tiers = new PriceTier[Tiers.Count];
        for (var i = 0; i < tiers.Length; i++)
        {
            var t = Tiers[i];
            tiers[i] = new PriceTier(t.AboveInputTokens, TokenRates.Resolve(
                t.InputPerMillion ?? InputPerMillion,
                t.CachedInputPerMillion ?? CachedInputPerMillion,
                t.CacheWritePerMillion ?? CacheWritePerMillion,
                t.CacheWrite1hPerMillion ?? CacheWrite1hPerMillion,
                t.OutputPerMillion ?? OutputPerMillion,
                t.ReasoningPerMillion ?? ReasoningPerMillion,
                t.InputAudioPerMillion ?? InputAudioPerMillion,
                t.OutputAudioPerMillion ?? OutputAudioPerMillion));
        }

        Array.Sort(tiers, static (a, b) => a.AboveInputTokens.CompareTo(b.AboveInputTokens));
        return new ModelPrice(provider, modelId, Currency, EffectiveFrom, source, baseRates, PerRequest ?? 0m, tiers);
    }
}
