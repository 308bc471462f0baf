using System.Globalization;

namespace AiOrchestrator.Ledger.Client.Leases;

// Uploading the outbox: batches in order under the source's sequence, each with its idempotency key.
internal sealed partial class LeasedBudgetLedger
{
    private readonly SemaphoreSlim _uploading = new(1, 1);
    private DateTimeOffset _uploadDue;

    /// <summary>
    /// Uploads the outbox until it is empty, the ledger cannot be reached, or it refuses a batch. Batches go in order;
    /// a batch the ledger already has (a replay) is acknowledged like a new one. Returns the records uploaded.
    /// </summary>
    internal async Task<int> UploadAsync(CancellationToken cancellationToken)
    {
        await _uploading.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _uploadDue = _time.GetUtcNow() + _options.UploadInterval;
            await _outbox.FlushAsync().ConfigureAwait(false);
            var uploaded = 0;
            for (var round = 0; round < 10_000; round++)
            {
                var (sequence, records) = _outbox.NextBatch(_options.UploadBatchSize);
                if (records.Count == 0)
                {
                    ResetFallbackWhenReceived();
                    return uploaded;
                }

                var wire = new UsageRecordRequest[records.Count];
                for (var i = 0; i < wire.Length; i++)
                {
                    wire[i] = records[i].ToRequest();
                }

                var request = new UsageBatchRequest(_outbox.Source, sequence, wire);
                // The key names the batch's content too: a batch sent again under an earlier sequence (the ledger lost
                // batches) is a new request, not a reuse of the key with another body.
                var key = string.Create(CultureInfo.InvariantCulture, $"usage-{_outbox.Source}-{sequence}-{records[0].Id}");
                try
                {
                    var response = await CallAsync(ct => _http.UploadUsageAsync(request, key, ct), cancellationToken).ConfigureAwait(false);
                    _outbox.Acknowledge(sequence, records[^1].Id);
                    uploaded += records.Count;
                    _metrics.RecordUploaded(records.Count);
                    LogUploaded(_logger, sequence, records.Count, response.Accepted, response.Duplicates, response.Replayed);
                }
                catch (LedgerRequestException ex) when (!ex.IsUnreachable && ex.StatusCode == 409 && ExpectedSequence(ex) is { } expected)
                {
                    if (expected == sequence + 1)
                    {
                        // The ledger applied this batch already (its answer was lost): acknowledge it.
                        _outbox.Acknowledge(sequence, records[^1].Id);
                        uploaded += records.Count;
                    }
                    else
                    {
                        LogResequenced(_logger, _outbox.Source, sequence, expected);
                        _outbox.Resequence(expected);
                    }
                }
                catch (LedgerRequestException ex) when (!ex.IsUnreachable)
                {
                    LogUploadRefused(_logger, ex, sequence, records.Count, _outbox.Depth);
                    return uploaded;
                }
                catch (LedgerRequestException)
                {
                    return uploaded;
                }
            }

            return uploaded;
        }
        finally
        {
            _uploading.Release();
        }
    }

    private static long? ExpectedSequence(LedgerRequestException ex)
    {
        foreach (var name in (ReadOnlySpan<string>)["expectedSequence", "expected", "expected_sequence"])
        {
            if (ex.Extensions.TryGetValue(name, out var text) && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0)
            {
                return value;
            }
        }

        return null;
    }

    /// <summary>Once the ledger has every record (fallback spend included), the fallback allowance is whole again.</summary>
    private void ResetFallbackWhenReceived()
    {
        lock (_fallbackLock)
        {
            if (_fallbackSpent > 0m && _fallbackHeld == 0m && _fallbackSettling == 0 && _outbox.Depth == 0)
            {
                LogFallbackReconciled(_logger, _fallbackSpent, _options.FallbackCurrency);
                _fallbackSpent = 0m;
            }
        }
    }
}
