namespace AiOrchestrator.RateLimits;

/// <summary>
/// Cost limits count exact integer nano-dollars (10⁻⁹ USD): a window's arithmetic stays in <see cref="long"/>, and an
/// estimate is rounded up, so a cost limit never admits more than it allows.
/// </summary>
internal static class RateLimitCost
{
    public const decimal UnitsPerDollar = 1_000_000_000m;

    /// <summary>The largest cost limit: a million dollars per window keeps every sum far inside a long.</summary>
    public const decimal MaxDollars = 1_000_000m;

    public static long ToUnits(decimal dollars)
    {
        if (dollars <= 0m)
        {
            return 0;
        }

        return dollars >= MaxDollars * 1000m ? (long)(MaxDollars * 1000m * UnitsPerDollar) : (long)decimal.Ceiling(dollars * UnitsPerDollar);
    }

    public static decimal ToDollars(long units) => units / UnitsPerDollar;
}
