namespace AiOrchestrator.Pricing;

/// <summary>A model in the catalog: its id, the rule that recognises its names, and its price entries.</summary>
internal sealed class CatalogModel(string providerId, string id, MatchRule match, CatalogPriceEntry[] entries)
{
    // The same entries' prices marked as found through a fallback provider or the model's maker, made on first use.
    private ModelPrice?[]? _fallbackProvider;
    private ModelPrice?[]? _modelMaker;

    public string ProviderId { get; } = providerId;

    public string Id { get; } = id;

    public MatchRule Match { get; } = match;

    /// <summary>
    /// The price in effect at <paramref name="at"/>: the last entry whose condition holds wins; if none holds, the
    /// first entry applies. <see langword="null"/> when that entry has no price.
    /// </summary>
    public ModelPrice? PriceAt(DateTimeOffset at, PriceSource source = PriceSource.Catalog)
    {
        var index = 0;
        for (var i = entries.Length - 1; i > 0; i--)
        {
            if (entries[i].AppliesAt(at))
            {
                index = i;
                break;
            }
        }

        if (entries.Length == 0)
        {
            return null;
        }

        return source switch
        {
            PriceSource.FallbackProvider => Marked(ref _fallbackProvider, source)[index],
            PriceSource.ModelMaker => Marked(ref _modelMaker, source)[index],
            _ => entries[index].Price,
        };
    }

    private ModelPrice?[] Marked(ref ModelPrice?[]? cache, PriceSource source)
    {
        var marked = Volatile.Read(ref cache);
        if (marked is null)
        {
            marked = Array.ConvertAll(entries, e => e.Price?.WithSource(source));
            Interlocked.CompareExchange(ref cache, marked, null);
            marked = Volatile.Read(ref cache)!;
        }

        return marked;
    }
}
