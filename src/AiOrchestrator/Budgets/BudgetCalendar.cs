namespace AiOrchestrator.Budgets;

/// <summary>
/// Calendar-aligned period boundaries in a time zone. A boundary is local midnight; when a daylight-saving change
/// skips midnight the period starts at the first local time that exists, and when midnight occurs twice the
/// period starts at the first of them.
/// </summary>
internal static class BudgetCalendar
{
    /// <summary>The start (UTC ticks) of the period that contains <paramref name="utcTicks"/>.</summary>
    public static long PeriodStart(BudgetPeriod period, TimeZoneInfo zone, long utcTicks)
    {
        if (period == BudgetPeriod.Total)
        {
            return 0;
        }

        var local = TimeZoneInfo.ConvertTimeFromUtc(new DateTime(utcTicks, DateTimeKind.Utc), zone).Date;
        var boundary = period switch
        {
            BudgetPeriod.Day => local,
            BudgetPeriod.Week => local.AddDays(-(((int)local.DayOfWeek + 6) % 7)),
            _ => new DateTime(local.Year, local.Month, 1, 0, 0, 0, DateTimeKind.Unspecified),
        };
        var start = ToUtcTicks(boundary, zone);

        // A skipped midnight can map the boundary after the instant itself (the instant lies in the previous period).
        return start > utcTicks ? PeriodStart(period, zone, start - TimeSpan.TicksPerDay) : start;
    }

    /// <summary>The start (UTC ticks) of the period after the one starting at <paramref name="startUtcTicks"/>; <see cref="long.MaxValue"/> for total.</summary>
    public static long NextStart(BudgetPeriod period, TimeZoneInfo zone, long startUtcTicks)
    {
        if (period == BudgetPeriod.Total)
        {
            return long.MaxValue;
        }

        var local = TimeZoneInfo.ConvertTimeFromUtc(new DateTime(startUtcTicks, DateTimeKind.Utc), zone).Date;
        var next = period switch
        {
            BudgetPeriod.Day => local.AddDays(1),
            BudgetPeriod.Week => local.AddDays(7),
            _ => local.AddMonths(1),
        };
        return ToUtcTicks(next, zone);
    }

    /// <summary>Finds a time zone by IANA or Windows id.</summary>
    public static bool TryFindZone(string? id, out TimeZoneInfo zone)
    {
        zone = TimeZoneInfo.Utc;
        if (string.IsNullOrWhiteSpace(id) || string.Equals(id, "UTC", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        try
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(id);
            return true;
        }
        catch (TimeZoneNotFoundException)
        {
            return false;
        }
        catch (InvalidTimeZoneException)
        {
            return false;
        }
    }

    public static TimeZoneInfo FindZone(string? id)
        => TryFindZone(id, out var zone) ? zone : throw new TimeZoneNotFoundException(
            $"Time zone '{id}' was not found. Use an IANA id such as 'Europe/Berlin' or 'UTC'.");

    private static long ToUtcTicks(DateTime local, TimeZoneInfo zone)
    {
        // Skip forward over a daylight-saving gap to the first local time that exists.
        var guard = 0;
        while (zone.IsInvalidTime(local) && guard++ < 24 * 60)
        {
            local = local.AddMinutes(1);
        }

        TimeSpan offset;
        if (zone.IsAmbiguousTime(local))
        {
            // Midnight happens twice: take the first, which has the larger offset.
            offset = TimeSpan.MinValue;
            foreach (var candidate in zone.GetAmbiguousTimeOffsets(local))
            {
                offset = candidate > offset ? candidate : offset;
            }
        }
        else
        {
            offset = zone.GetUtcOffset(local);
        }

        return local.Ticks - offset.Ticks;
    }
}
