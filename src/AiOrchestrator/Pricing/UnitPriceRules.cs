namespace AiOrchestrator.Pricing;

/// <summary>Rules a set of unit prices must keep so that every count is priced once.</summary>
internal static class UnitPriceRules
{
    /// <summary>
    /// Join closedness: when two priced units can describe the same counts (a cache read that is audio is both a cache
    /// read and audio input) and the registry has a unit for their overlap, that unit must be priced too; otherwise the
    /// overlap would be subtracted twice and under-priced.
    /// </summary>
    /// <exception cref="InvalidDataException">An overlap is not priced; the message names the units.</exception>
    public static void CheckJoins(IReadOnlyList<UnitPrice> prices, UnitRegistry units, string where)
    {
        for (var i = 0; i < prices.Count; i++)
        {
            for (var j = i + 1; j < prices.Count; j++)
            {
                var a = prices[i].Unit;
                var b = prices[j].Unit;
                if (!a.IsCompatibleWith(b) || a.IsAncestorOrSelfOf(b) || b.IsAncestorOrSelfOf(a))
                {
                    continue;
                }

                var join = FindJoin(a, b, units);
                if (join is not null && !prices.Any(p => ReferenceEquals(p.Unit, join)))
                {
                    throw new InvalidDataException(
                        $"The prices of {where} price '{a.PriceKey}' and '{b.PriceKey}' but not '{join.PriceKey}', the units they share: tokens that are both would be subtracted twice. Add a price for '{join.PriceKey}'.");
                }
            }
        }
    }

    private static PriceUnit? FindJoin(PriceUnit a, PriceUnit b, UnitRegistry units)
    {
        var count = a.Dimensions.Keys.Union(b.Dimensions.Keys, StringComparer.Ordinal).Count();
        foreach (var unit in units.Units)
        {
            if (unit.Dimensions.Count == count && a.IsAncestorOrSelfOf(unit) && b.IsAncestorOrSelfOf(unit))
            {
                return unit;
            }
        }

        return null;
    }
}
