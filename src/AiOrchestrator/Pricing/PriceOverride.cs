namespace AiOrchestrator.Pricing;

/// <summary>A price from <see cref="PricingOptions.Prices"/>, ready to match against calls.</summary>
internal sealed class PriceOverride(string? providerKey, string pattern, bool isPrefix, ModelPrice price)
{
    /// <summary>The catalog provider id (or lower-cased name) it applies to; <see langword="null"/> for any provider.</summary>
    public string? ProviderKey { get; } = providerKey;

    /// <summary>The lower-cased model id or prefix (without the <c>*</c>).</summary>
    public string Pattern { get; } = pattern;

    public bool IsPrefix { get; } = isPrefix;

    public ModelPrice Price { get; } = price;

    /// <summary>
    /// A prefix matches the id as given; an exact id also matches the id's aliases (without a dated snapshot suffix
    /// or a <c>models/</c> prefix), as catalog ids do.
    /// </summary>
    /// <param name="lowerModelIds">The lower-cased id as given, then its aliases.</param>
    public bool MatchesModel(List<string> lowerModelIds)
    {
        if (IsPrefix)
        {
            return lowerModelIds[0].StartsWith(Pattern, StringComparison.Ordinal);
        }

        foreach (var id in lowerModelIds)
        {
            if (string.Equals(id, Pattern, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Orders matching overrides, most specific first: exact ids before prefixes, a named provider before "any",
    /// longer prefixes first, and within one price history the latest start date first.
    /// </summary>
    public static int CompareSpecificity(PriceOverride? a, PriceOverride? b)
    {
        if (ReferenceEquals(a, b))
        {
            return 0;
        }

        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var c = a.IsPrefix.CompareTo(b.IsPrefix);
        if (c != 0)
        {
            return c;
        }

        c = (a.ProviderKey is null).CompareTo(b.ProviderKey is null);
        if (c != 0)
        {
            return c;
        }

        c = b.Pattern.Length.CompareTo(a.Pattern.Length);
        if (c != 0)
        {
            return c;
        }

        return (b.Price.EffectiveFrom ?? DateTimeOffset.MinValue).CompareTo(a.Price.EffectiveFrom ?? DateTimeOffset.MinValue);
    }
}
