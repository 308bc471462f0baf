using AiOrchestrator.Metering;

namespace AiOrchestrator.Benchmarks;

/// <summary>A store that keeps nothing, to separate the cost of the hot path from the cost of writing records.</summary>
internal sealed class DiscardingUsageStore : IUsageStore
{
    public void Append(UsageRecord record)
    {
    }

    public Task FlushAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task<IReadOnlyList<SpendSummary>> GetSpendAsync(SpendQuery query, CancellationToken cancellationToken = default)
        => Task.FromResult<IReadOnlyList<SpendSummary>>([]);

    public Task<IReadOnlyList<UsageRecord>> GetRecordsAsync(SpendQuery query, CancellationToken cancellationToken = default)
        => Task.FromResult<IReadOnlyList<UsageRecord>>([]);
}
