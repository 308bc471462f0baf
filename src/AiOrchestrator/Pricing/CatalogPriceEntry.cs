namespace AiOrchestrator.Pricing;

/// <summary>
/// One price of a catalog model with the condition under which it applies: from a start date (price history) and/or
/// within a daily UTC time window (such as off-peak prices). A <see langword="null"/> <see cref="Price"/> means the
/// catalog lists the model with no price.
/// </summary>
internal sealed class CatalogPriceEntry(ModelPrice? price, long fromUtcTicks, long dailyFromTicks, long dailyUntilTicks)
{
    /// <summary>Marks an entry with no daily window.</summary>
    public const long NoWindow = -1;

    public ModelPrice? Price { get; } = price;

    public bool AppliesAt(DateTimeOffset at)
    {
        var ticks = at.UtcTicks;
        if (ticks < fromUtcTicks)
        {
            return false;
        }

        if (dailyFromTicks == NoWindow)
        {
            return true;
        }

        var timeOfDay = ticks % TimeSpan.TicksPerDay;
        return dailyFromTicks <= dailyUntilTicks
            ? timeOfDay >= dailyFromTicks && timeOfDay < dailyUntilTicks
            : timeOfDay >= dailyFromTicks || timeOfDay < dailyUntilTicks; // the window wraps past midnight
    }
}
