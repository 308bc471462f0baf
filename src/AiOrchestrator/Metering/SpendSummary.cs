namespace AiOrchestrator.Metering;

/// <summary>The totals of one group of usage records. Keys the query did not group by are null.</summary>
public sealed record SpendSummary
{
    /// <summary>The organisation of the group.</summary>
    public string? Organization { get; init; }

    /// <summary>The team of the group.</summary>
    public string? Team { get; init; }

    /// <summary>The user of the group.</summary>
    public string? User { get; init; }

    /// <summary>The app of the group.</summary>
    public string? App { get; init; }

    /// <summary>The feature of the group.</summary>
    public string? Feature { get; init; }

    /// <summary>The provider of the group.</summary>
    public string? Provider { get; init; }

    /// <summary>The model of the group.</summary>
    public string? Model { get; init; }

    /// <summary>The start of the day or month of the group, in the query's time zone.</summary>
    public DateTimeOffset? Period { get; init; }

    /// <summary>The number of calls.</summary>
    public long Calls { get; init; }

    /// <summary>The number of calls that did not succeed.</summary>
    public long FailedCalls { get; init; }

    /// <summary>The number of calls whose usage was estimated.</summary>
    public long EstimatedCalls { get; init; }

    /// <summary>The tokens used, added up part by part.</summary>
    public TokenUsage Usage { get; init; }

    /// <summary>The exact total cost.</summary>
    public Money Cost { get; init; }
}
