using System.Buffers;
using System.Threading.Channels;
using AiOrchestrator.Storage;
using LiteDB;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AiOrchestrator.Metering;

/// <summary>
/// Usage records in the local LiteDB store. Appends go to a queue that one background writer drains in batches;
/// each batch is written as one segment document (records in a compact binary form, indexed by their time range)
/// in one LiteDB transaction, so a call never waits on the disk and a record costs no per-record document.
/// </summary>
internal sealed partial class LiteDbUsageStore : IUsageStore, IAsyncDisposable, IDisposable
{
    internal const string CollectionName = "usage_segments";
    private const int MaxBatch = 4096;

    // Records waiting for the writer. When it falls this far behind, Append waits for room (backpressure) rather
    // than letting the queue grow without bound; nothing is dropped.
    private const int MaxQueued = 65_536;

    private readonly LocalStore _store;
    private readonly ILiteCollection<BsonDocument> _records;
    private readonly Channel<PendingWrite> _queue;
    private readonly Task _writer;
    private readonly ILogger _logger;
    private readonly long _retentionTicks;
    private long _prunedBelow;
    private int _disposed;

    public LiteDbUsageStore(string path, ILogger<LiteDbUsageStore>? logger = null, TimeSpan? retention = null)
    {
        if (retention is { } r && r <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(retention), r, "The usage retention must be positive, or null to keep every record.");
        }

        _retentionTicks = retention?.Ticks ?? 0;
        _logger = logger ?? NullLogger<LiteDbUsageStore>.Instance;
        _store = LocalStore.Acquire(path);
        _records = _store.Database.GetCollection(CollectionName, BsonAutoId.Int64);
        _records.EnsureIndex("from");
        _records.EnsureIndex("to");
        _queue = Channel.CreateBounded<PendingWrite>(new BoundedChannelOptions(MaxQueued)
        {
            SingleReader = true,
            AllowSynchronousContinuations = false,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _writer = Task.Run(WriteLoopAsync);
    }

    public void Append(UsageRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (!_queue.Writer.TryWrite(new PendingWrite(record, null)))
        {
            WaitForRoom(new PendingWrite(record, null));
        }
    }

    /// <summary>The queue is full (the disk is slower than the calls) or closed: wait for the writer, or fail if closed.</summary>
    private void WaitForRoom(PendingWrite write)
    {
        try
        {
            // Append is synchronous for callers; blocking here only happens while the writer is far behind.
            _queue.Writer.WriteAsync(write).AsTask().GetAwaiter().GetResult();
        }
        catch (ChannelClosedException ex)
        {
            throw new ObjectDisposedException(nameof(LiteDbUsageStore), "The usage store is closed; records can no longer be appended. " + ex.Message);
        }
    }

    public Task FlushAsync(CancellationToken cancellationToken = default)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_queue.Writer.TryWrite(new PendingWrite(null, done)))
        {
            return FlushWhenRoomAsync(done, cancellationToken);
        }

        return done.Task.WaitAsync(cancellationToken);
    }

    private async Task FlushWhenRoomAsync(TaskCompletionSource done, CancellationToken cancellationToken)
    {
        try
        {
            await _queue.Writer.WriteAsync(new PendingWrite(null, done), cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            // Closed: everything was written when the writer finished.
            await _writer.WaitAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        await done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<SpendSummary>> GetSpendAsync(SpendQuery query, CancellationToken cancellationToken = default)
    {
        var records = await GetRecordsAsync(query, cancellationToken).ConfigureAwait(false);
        return SpendAggregation.Summarise(records, query);
    }

    public async Task<IReadOnlyList<UsageRecord>> GetRecordsAsync(SpendQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.From is { } f && query.To is { } t && t < f)
        {
            throw new ArgumentException($"The query's To ({t:O}) is before its From ({f:O}).", nameof(query));
        }

        await FlushAsync(cancellationToken).ConfigureAwait(false);
        var from = query.From?.UtcTicks ?? long.MinValue;
        var to = query.To?.UtcTicks ?? long.MaxValue;
        var result = new List<UsageRecord>();
        foreach (var segment in _records.Find(Query.And(Query.LTE("from", to), Query.GTE("to", from))))
        {
            var version = segment["v"].AsInt32;
            if (version is < 1 or > UsageRecordCodec.Version)
            {
                throw new InvalidDataException($"Usage segment {segment["_id"]} has format version {segment["v"]}, which this version of AiOrchestrator cannot read.");
            }

            ReadOnlySpan<byte> data = segment["data"].AsBinary;
            while (!data.IsEmpty)
            {
                var record = UsageRecordCodec.Read(ref data, (byte)version);
                if (SpendAggregation.Matches(record, query))
                {
                    result.Add(record);
                }
            }
        }

        result.Sort(static (a, b) => a.Timestamp.CompareTo(b.Timestamp));
        return result;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _queue.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
        _store.Dispose();
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _queue.Writer.TryComplete();
        _writer.GetAwaiter().GetResult();
        _store.Dispose();
    }

    private async Task WriteLoopAsync()
    {
        var buffer = new ArrayBufferWriter<byte>(64 * 1024);
        var flushes = new List<TaskCompletionSource>();
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            var count = 0;
            long from = long.MaxValue, to = long.MinValue;
            while (count < MaxBatch && reader.TryRead(out var item))
            {
                if (item.Record is { } record)
                {
                    UsageRecordCodec.Write(buffer, record);
                    var ticks = record.Timestamp.UtcTicks;
                    from = Math.Min(from, ticks);
                    to = Math.Max(to, ticks);
                    count++;
                }
                else
                {
                    flushes.Add(item.Flush!);
                }
            }

            if (count > 0)
            {
                var segment = new BsonDocument
                {
                    ["v"] = (int)UsageRecordCodec.Version,
                    ["from"] = from,
                    ["to"] = to,
                    ["n"] = count,
                    ["data"] = buffer.WrittenSpan.ToArray(),
                };
                await WriteWithRetryAsync(segment, count).ConfigureAwait(false);
                buffer.ResetWrittenCount();
                PruneOlderThan(to);
            }

            foreach (var flush in flushes)
            {
                flush.TrySetResult();
            }

            flushes.Clear();
        }
    }

    /// <summary>
    /// With a retention, deletes segments whose newest record is older than the retention before
    /// <paramref name="newestTicks"/> (the newest record written), at most once per hundredth of the retention, so
    /// the file stops growing: LiteDB reuses the freed pages.
    /// </summary>
    private void PruneOlderThan(long newestTicks)
    {
        if (_retentionTicks == 0)
        {
            return;
        }

        var cutoff = newestTicks - _retentionTicks;
        if (cutoff - _prunedBelow < Math.Max(1, _retentionTicks / 100))
        {
            return;
        }

        try
        {
            var deleted = _records.DeleteMany(Query.LT("to", cutoff));
            _prunedBelow = cutoff;
            if (deleted > 0)
            {
                LogPruned(_logger, deleted, new DateTimeOffset(cutoff, TimeSpan.Zero));
            }
        }
#pragma warning disable CA1031 // Pruning is housekeeping: a failure is logged and retried at the next batch.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogPruneFailed(_logger, ex);
        }
    }

    private async Task WriteWithRetryAsync(BsonDocument segment, int count)
    {
        // A record is never dropped: a failing write (disk full, file locked) is retried with back-off.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                _records.Upsert(segment);
                return;
            }
            catch (Exception ex) when (ex is LiteException or IOException && attempt < 50)
            {
                LogWriteFailed(_logger, ex, count, attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(1000, 10 * attempt))).ConfigureAwait(false);
            }
        }
    }

    [LoggerMessage(EventId = 1101, Level = LogLevel.Warning, Message = "Writing {Count} usage records failed (attempt {Attempt}); retrying.")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception, int count, int attempt);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Debug, Message = "Deleted {Segments} usage segments older than {Cutoff} (the usage retention).")]
    private static partial void LogPruned(ILogger logger, int segments, DateTimeOffset cutoff);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Warning, Message = "Deleting usage records past the retention failed; it is retried with the next batch.")]
    private static partial void LogPruneFailed(ILogger logger, Exception exception);

    private readonly record struct PendingWrite(UsageRecord? Record, TaskCompletionSource? Flush);
}
