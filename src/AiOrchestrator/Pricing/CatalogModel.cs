namespace AiOrchestrator.Pricing;

/// <summary>A model in the shipped catalog: its id, the rule that recognises its names, and its price entries.</summary>
internal sealed class CatalogModel(string providerId, string id, MatchRule match, CatalogPriceEntry[] entries)
{
    public string ProviderId { get; } = providerId;

    public string Id { get; } = id;

    public MatchRule Match { get; } = match;

    /// <summary>
    /// The price in effect at <paramref name="at"/>: the last entry whose condition holds wins; if none holds, the
    /// first entry applies. <see langword="null"/> when that entry has no price.
    /// </summary>
    public ModelPrice? PriceAt(DateTimeOffset at)
    {
        for (var i = entries.Length - 1; i > 0; i--)
        {
            if (entries[i].AppliesAt(at))
            {
                return entries[i].Price;
            }
        }

        return entries.Length > 0 ? entries[0].Price : null;
    }
}
