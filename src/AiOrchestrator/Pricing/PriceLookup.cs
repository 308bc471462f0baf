namespace AiOrchestrator.Pricing;

/// <summary>
/// What one (provider, model) pair resolved to, cached after the first lookup: the overrides that match it, most
/// specific first, and the catalog model (if any) with how it was found, or why there is none. Choosing the price for
/// a moment is then a short loop.
/// </summary>
internal sealed class PriceLookup(PriceOverride[] overrides, CatalogModel? model, PriceSource source, UnpricedReason reason)
{
    /// <summary>Why there is no price, when <see cref="PriceAt"/> returns <see langword="null"/>.</summary>
    public UnpricedReason Reason => model is null ? reason : UnpricedReason.ListedWithoutPrice;

    public ModelPrice? PriceAt(DateTimeOffset at)
    {
        foreach (var candidate in overrides)
        {
            var from = candidate.Price.EffectiveFrom;
            if (from is null || from.GetValueOrDefault() <= at)
            {
                return candidate.Price;
            }
        }

        return model?.PriceAt(at, source);
    }
}
