namespace AiOrchestrator.Pricing;

/// <summary>
/// A price given in code or configuration, which adds to or overrides the shipped catalog. Prices are per million
/// tokens in <see cref="Currency"/>, except those in <see cref="Units"/>, which are per their unit's own count. A unit
/// left unset is priced by its nearest priced ancestor: cache reads, cache writes and audio input cost
/// <see cref="InputPerMillion"/>; reasoning and audio output cost <see cref="OutputPerMillion"/>; one-hour cache writes
/// cost <see cref="CacheWritePerMillion"/>.
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

    /// <summary>Price per million tokens written to a prompt cache (any lifetime unless <see cref="CacheWrite1hPerMillion"/> is set); defaults to the input price.</summary>
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

    /// <summary>
    /// Prices of other units, by the price feed's price key, each per that unit's own count (for example
    /// <c>web_searches_kcount</c> per thousand searches, <c>cache_audio_read_mtok</c> or <c>output_image_mtok</c> per
    /// million tokens). A key set here wins over the property for the same unit. See docs/pricing.md for the keys.
    /// </summary>
    public IDictionary<string, decimal> Units { get; } = new Dictionary<string, decimal>(StringComparer.Ordinal);

    /// <summary>The named properties and the price keys they set.</summary>
    internal static readonly (string PriceKey, Func<ModelPriceDefinition, decimal?> Base, Func<PriceTierDefinition, decimal?> Tier)[] Named =
    [
        ("input_mtok", d => d.InputPerMillion, t => t.InputPerMillion),
        ("cache_read_mtok", d => d.CachedInputPerMillion, t => t.CachedInputPerMillion),
        ("cache_write_mtok", d => d.CacheWritePerMillion, t => t.CacheWritePerMillion),
        ("cache_write_1h_mtok", d => d.CacheWrite1hPerMillion, t => t.CacheWrite1hPerMillion),
        ("output_mtok", d => d.OutputPerMillion, t => t.OutputPerMillion),
        ("output_reasoning_mtok", d => d.ReasoningPerMillion, t => t.ReasoningPerMillion),
        ("input_audio_mtok", d => d.InputAudioPerMillion, t => t.InputAudioPerMillion),
        ("output_audio_mtok", d => d.OutputAudioPerMillion, t => t.OutputAudioPerMillion),
    ];

    /// <summary>Builds the immutable price; assumes the definition passed validation (unknown keys were reported there).</summary>
    /// <exception cref="InvalidDataException">The prices leave an overlap of two priced units unpriced.</exception>
    internal ModelPrice ToModelPrice(string provider, string modelId, PriceSource source, UnitRegistry registry)
    {
        var tiers = Tiers.OrderBy(t => t.AboveInputTokens).ToArray();
        var prices = new List<UnitPrice>();
        foreach (var (key, baseOf, tierOf) in Named)
        {
            if (Units.ContainsKey(key) || baseOf(this) is not { } price || !registry.TryFindByPriceKey(key, out var unit))
            {
                continue;
            }

            var unitTiers = new List<UnitPriceTier>();
            foreach (var tier in tiers)
            {
                if (tierOf(tier) is { } tierPrice)
                {
                    unitTiers.Add(new UnitPriceTier(tier.AboveInputTokens, tierPrice));
                }
            }

            prices.Add(new UnitPrice(unit, price, [.. unitTiers]));
        }

        foreach (var (key, price) in Units)
        {
            if (registry.TryFindByPriceKey(key, out var unit))
            {
                prices.Add(new UnitPrice(unit, price, []));
            }
        }

        if (PerRequest is { } perRequest && perRequest != 0m && !Units.ContainsKey("requests_kcount") && registry.TryFindByPriceKey("requests_kcount", out var requests))
        {
            prices.Add(new UnitPrice(requests, perRequest * requests.Per, []));
        }

        UnitPriceRules.CheckJoins(prices, registry, $"{provider}/{modelId}");
        return new ModelPrice(provider, modelId, Currency, EffectiveFrom, source, [.. prices], registry);
    }
}
