using System.Diagnostics;
using System.Globalization;
using AiOrchestrator.Ledger;

namespace LedgerLoad;

/// <summary>
/// Usage ingestion: one source uploads batches of <c>batchSize</c> records in sequence, as a client's outbox does,
/// and the time of each batch (request to response) is recorded.
/// </summary>
internal sealed class UsageBatchLoad(LedgerApi api, LoadTarget target, int batches, int batchSize)
{
    public async Task<UsageBatchResult> RunAsync(CancellationToken cancellationToken)
    {
        var source = "load-" + Guid.NewGuid().ToString("N")[..8];
        var latency = new LatencyHistogram();
        var warmup = Math.Min(3, batches);
        var records = 0L;
        for (var sequence = 1; sequence <= batches + warmup; sequence++)
        {
            var batch = new UsageBatchRequest(source, sequence, Records(source, sequence));
            var start = Stopwatch.GetTimestamp();
            var response = await api.UploadUsageAsync(target.Organisation, batch, cancellationToken).ConfigureAwait(false);
            var elapsed = Stopwatch.GetElapsedTime(start);
            if (response.Accepted != batchSize)
            {
                throw new InvalidOperationException($"Batch {sequence} accepted {response.Accepted} of {batchSize} records.");
            }

            if (sequence > warmup)
            {
                latency.Record(elapsed);
                records += response.Accepted;
            }
        }

        return new UsageBatchResult(batches, batchSize, records, latency);
    }

    private List<UsageRecordRequest> Records(string source, int sequence)
    {
        var records = new List<UsageRecordRequest>(batchSize);
        var at = DateTimeOffset.UtcNow;
        for (var i = 0; i < batchSize; i++)
        {
            records.Add(new UsageRecordRequest(
                string.Create(CultureInfo.InvariantCulture, $"{source}-{sequence}-{i}"),
                target.WalletsOf(i),
                "0.0001",
                target.Currency,
                at,
                null,
                "load",
                "openai",
                i % 2 == 0 ? "gpt-4o-mini" : "gpt-4o",
                120,
                40));
        }

        return records;
    }
}

/// <summary>What a usage batch run measured.</summary>
internal sealed record UsageBatchResult(int Batches, int BatchSize, long Records, LatencyHistogram Latency)
{
    public override string ToString() =>
        $"usage: {Batches} batches of {BatchSize} records; per batch p50 {PairLoadResult.Ms(Latency.Percentile(0.50))} ms, " +
        $"p99 {PairLoadResult.Ms(Latency.Percentile(0.99))} ms, max {PairLoadResult.Ms(Latency.Max)} ms";
}
