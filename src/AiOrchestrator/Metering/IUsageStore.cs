namespace AiOrchestrator.Metering;

/// <summary>Keeps usage records and answers spend queries over them.</summary>
public interface IUsageStore
{
    /// <summary>
    /// Queues a record to be written. Returns at once; records are written in batches by a background writer
    /// (see <see cref="FlushAsync"/>).
    /// </summary>
    void Append(UsageRecord record);

    /// <summary>Completes when every record appended before the call has been written.</summary>
    Task FlushAsync(CancellationToken cancellationToken = default);

    /// <summary>Adds up spend, grouped as the query asks. Records appended before the call are included.</summary>
    Task<IReadOnlyList<SpendSummary>> GetSpendAsync(SpendQuery query, CancellationToken cancellationToken = default);

    /// <summary>Returns the records the query matches, oldest first (its grouping is ignored).</summary>
    Task<IReadOnlyList<UsageRecord>> GetRecordsAsync(SpendQuery query, CancellationToken cancellationToken = default);
}
