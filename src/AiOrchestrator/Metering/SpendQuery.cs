namespace AiOrchestrator.Metering;

/// <summary>Which usage records to add up, and how to group them. Unset filters match everything.</summary>
public sealed record SpendQuery
{
    /// <summary>Records at or after this time.</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>Records before this time.</summary>
    public DateTimeOffset? To { get; init; }

    /// <summary>Only this organisation.</summary>
    public string? Organization { get; init; }

    /// <summary>Only this team.</summary>
    public string? Team { get; init; }

    /// <summary>Only this user.</summary>
    public string? User { get; init; }

    /// <summary>Only this app.</summary>
    public string? App { get; init; }

    /// <summary>Only this feature.</summary>
    public string? Feature { get; init; }

    /// <summary>Only this provider.</summary>
    public string? Provider { get; init; }

    /// <summary>Only this model.</summary>
    public string? Model { get; init; }

    /// <summary>How to group the totals; <see cref="SpendGrouping.None"/> gives one grand total.</summary>
    public SpendGrouping GroupBy { get; init; }

    /// <summary>The time zone that day and month groups are aligned to; UTC when unset.</summary>
    public TimeZoneInfo? TimeZone { get; init; }
}
