namespace AiOrchestrator.Pricing;

/// <summary>The exact cost of one call, its parts, and the price it was computed with.</summary>
/// <param name="Cost">The exact cost.</param>
/// <param name="Price">The price used.</param>
public readonly record struct CallCost(Money Cost, ModelPrice Price)
{
    /// <summary>The part of <see cref="Cost"/> for input units (plain, cached, cache writes, audio, image...).</summary>
    public decimal InputCost { get; init; }

    /// <summary>The part of <see cref="Cost"/> for output units (text, reasoning, audio, image...).</summary>
    public decimal OutputCost { get; init; }

    /// <summary>The part of <see cref="Cost"/> for units that are neither input nor output: web searches, the per-request price.</summary>
    public decimal OtherCost { get; init; }

    /// <summary>What each priced unit contributed, most specific unit first.</summary>
    public IReadOnlyList<UnitCost> Parts { get; init; } = [];

    /// <summary>
    /// Units the usage counted that no price covers (for example web searches of a model whose price has none): they
    /// are not in <see cref="Cost"/>. Empty when everything was priced.
    /// </summary>
    public IReadOnlyList<string> UnpricedUnits { get; init; } = [];

    /// <summary>Priced units the usage carries no count for (see <see cref="ModelPrice.UnreportedUnits"/>).</summary>
    public IReadOnlyList<PriceUnit> UnreportedUnits => Price?.UnreportedUnits ?? [];

    /// <summary>True when the model had no known price and the configured fallback price was used.</summary>
    public bool UsedFallbackPrice => Price?.Source == PriceSource.Fallback;

    /// <summary>
    /// True when the price came from another provider's list: one the requested provider declares as its fallback
    /// (Azure → OpenAI), or the model's maker when the call named no provider.
    /// </summary>
    public bool UsedFallbackProvider => Price?.Source is PriceSource.FallbackProvider or PriceSource.ModelMaker;

    /// <summary>True when every count of the usage was priced and the price needed no count the usage lacks.</summary>
    public bool IsComplete => UnpricedUnits.Count == 0 && UnreportedUnits.Count == 0;
}
