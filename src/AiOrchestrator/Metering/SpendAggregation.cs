namespace AiOrchestrator.Metering;

/// <summary>Filters and adds up usage records for spend queries.</summary>
internal static class SpendAggregation
{
    public static bool Matches(UsageRecord r, SpendQuery q)
        => (q.From is null || r.Timestamp >= q.From)
        && (q.To is null || r.Timestamp < q.To)
        && Eq(q.Organization, r.Scope.Organization)
        && Eq(q.Team, r.Scope.Team)
        && Eq(q.User, r.Scope.User)
        && Eq(q.App, r.Scope.App)
        && Eq(q.Feature, r.Scope.Feature)
        && Eq(q.Provider, r.Provider)
        && Eq(q.Model, r.Model);

    public static IReadOnlyList<SpendSummary> Summarise(IReadOnlyList<UsageRecord> records, SpendQuery q)
    {
        var g = q.GroupBy;
        var zone = q.TimeZone ?? TimeZoneInfo.Utc;
        var groups = new Dictionary<GroupKey, SpendSummary>();
        foreach (var r in records)
        {
            var key = new GroupKey(
                Has(g, SpendGrouping.Organization) ? r.Scope.Organization : null,
                Has(g, SpendGrouping.Team) ? r.Scope.Team : null,
                Has(g, SpendGrouping.User) ? r.Scope.User : null,
                Has(g, SpendGrouping.App) ? r.Scope.App : null,
                Has(g, SpendGrouping.Feature) ? r.Scope.Feature : null,
                Has(g, SpendGrouping.Provider) ? r.Provider : null,
                Has(g, SpendGrouping.Model) ? r.Model : null,
                PeriodStart(r.Timestamp, g, zone),
                r.Cost.Currency);

            var failed = r.Outcome == CallOutcome.Succeeded ? 0 : 1;
            var estimated = r.Usage.IsEstimated ? 1 : 0;
            groups[key] = groups.TryGetValue(key, out var s)
                ? s with
                {
                    Calls = s.Calls + 1,
                    FailedCalls = s.FailedCalls + failed,
                    EstimatedCalls = s.EstimatedCalls + estimated,
                    Usage = s.Usage + r.Usage,
                    Cost = s.Cost + r.Cost,
                }
                : new SpendSummary
                {
                    Organization = key.Organization,
                    Team = key.Team,
                    User = key.User,
                    App = key.App,
                    Feature = key.Feature,
                    Provider = key.Provider,
                    Model = key.Model,
                    Period = key.Period,
                    Calls = 1,
                    FailedCalls = failed,
                    EstimatedCalls = estimated,
                    Usage = r.Usage,
                    Cost = r.Cost,
                };
        }

        var result = new List<SpendSummary>(groups.Values);
        result.Sort(static (a, b) =>
        {
            var c = Nullable.Compare(a.Period, b.Period);
            return c != 0 ? c : b.Cost.Amount.CompareTo(a.Cost.Amount);
        });
        return result;
    }

    private static DateTimeOffset? PeriodStart(DateTimeOffset at, SpendGrouping g, TimeZoneInfo zone)
    {
        if (!Has(g, SpendGrouping.Day) && !Has(g, SpendGrouping.Month))
        {
            return null;
        }

        var local = TimeZoneInfo.ConvertTime(at, zone);
        var start = Has(g, SpendGrouping.Day)
            ? new DateTime(local.Year, local.Month, local.Day, 0, 0, 0, DateTimeKind.Unspecified)
            : new DateTime(local.Year, local.Month, 1, 0, 0, 0, DateTimeKind.Unspecified);
        return new DateTimeOffset(start, zone.GetUtcOffset(start));
    }

    private static bool Has(SpendGrouping value, SpendGrouping flag) => (value & flag) != 0;

    private static bool Eq(string? filter, string? value) => filter is null || string.Equals(filter, value, StringComparison.Ordinal);

    private readonly record struct GroupKey(
        string? Organization, string? Team, string? User, string? App, string? Feature,
        string? Provider, string? Model, DateTimeOffset? Period, string Currency);
}
