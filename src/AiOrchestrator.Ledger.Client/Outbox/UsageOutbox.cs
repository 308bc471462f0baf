using AiOrchestrator.Storage;
using LiteDB;
using Microsoft.Extensions.Logging;

namespace AiOrchestrator.Ledger.Client.Outbox;

/// <summary>
/// The durable outbox of settled spend, a collection in the local store (the same file, and the same open database,
/// as the usage store). Records are appended on the request path and written in batches by a background writer (one
/// transaction for many), then uploaded in order and deleted once the ledger has them.
/// </summary>
internal sealed partial class UsageOutbox : IDisposable
{
    private const string RecordsCollection = "ledger_outbox";
    private const string StateCollection = "ledger_outbox_state";

    private readonly LocalStore _store;
    private readonly ILiteCollection<OutboxRecord> _records;
    private readonly ILiteCollection<OutboxState> _states;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _signal = new(0);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _writer;
    private List<OutboxRecord> _pending = new(64);
    private TaskCompletionSource _batch = NewBatch();
    private Task _writing = Task.CompletedTask;
    private long _depth;
    private int _disposed;

    public UsageOutbox(string storePath, string? source, ILogger logger)
    {
        _logger = logger;
        _store = LocalStore.Acquire(storePath);
        _records = _store.Database.GetCollection<OutboxRecord>(RecordsCollection, BsonAutoId.Int64);
        _states = _store.Database.GetCollection<OutboxState>(StateCollection);
        var state = _states.FindById(OutboxState.Key);
        if (state is null)
        {
            state = new OutboxState { Source = source ?? Guid.NewGuid().ToString("N") };
            _states.Insert(state);
        }
        else if (source is not null && !string.Equals(state.Source, source, StringComparison.Ordinal))
        {
            throw new InvalidOperationException(
                $"The usage outbox in '{storePath}' belongs to source '{state.Source}', but AiOrchestrator:Ledger:Source is '{source}'. "
                + "A source's sequence lives in its outbox: keep the Source it was created with, or use another store file.");
        }

        Source = state.Source;
        _depth = _records.LongCount();
        IsDurable = storePath != ":memory:";
        _writer = Task.Run(WriteLoopAsync);
    }

    /// <summary>The usage source this outbox uploads as.</summary>
    public string Source { get; }

    /// <summary>False when the local store is in memory: the outbox does not survive the process.</summary>
    public bool IsDurable { get; }

    /// <summary>Records appended and not yet acknowledged by the ledger.</summary>
    public long Depth => Interlocked.Read(ref _depth);

    /// <summary>Queues <paramref name="record"/>; the task completes when it is on disk.</summary>
    public Task Append(OutboxRecord record)
    {
        Task durable;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed != 0, this);
            _pending.Add(record);
            durable = _batch.Task;
        }

        Interlocked.Increment(ref _depth);
        if (_signal.CurrentCount == 0)
        {
            _signal.Release();
        }

        return durable;
    }

    /// <summary>Completes when every record appended before the call is on disk.</summary>
    public Task FlushAsync()
    {
        lock (_lock)
        {
            if (_pending.Count == 0)
            {
                // Nothing queued; a batch the writer has taken may still be on its way to the disk.
                return _writing;
            }

            _signal.Release();
            return _batch.Task;
        }
    }

    /// <summary>The batch to upload next: the one on its way if a previous upload did not finish, else up to <paramref name="max"/> records under a new sequence.</summary>
    public (long Sequence, List<OutboxRecord> Records) NextBatch(int max)
    {
        var state = _states.FindById(OutboxState.Key);
        if (state.InFlightSequence > 0)
        {
            var lastId = state.InFlightLastId;
            var again = _records.Query().Where(x => x.Id <= lastId).OrderBy(x => x.Id).ToList();
            if (again.Count > 0)
            {
                return (state.InFlightSequence, again);
            }

            state.InFlightSequence = 0;
        }

        var records = _records.Query().OrderBy(x => x.Id).Limit(max).ToList();
        if (records.Count == 0)
        {
            _states.Update(state);
            return (0, records);
        }

        // Fix the batch before sending it: a batch that reached the ledger before a crash is sent again unchanged.
        state.InFlightSequence = state.NextSequence;
        state.InFlightLastId = records[^1].Id;
        _states.Update(state);
        return (state.InFlightSequence, records);
    }

    /// <summary>The ledger has batch <paramref name="sequence"/>: its records leave the outbox.</summary>
    public void Acknowledge(long sequence, long lastId)
    {
        var db = _store.Database;
        db.BeginTrans();
        try
        {
            var deleted = _records.DeleteMany(x => x.Id <= lastId);
            var state = _states.FindById(OutboxState.Key);
            state.NextSequence = sequence + 1;
            state.InFlightSequence = 0;
            state.InFlightLastId = 0;
            _states.Update(state);
            db.Commit();
            Interlocked.Add(ref _depth, -deleted);
        }
        catch
        {
            db.Rollback();
            throw;
        }
    }

    /// <summary>The ledger expects <paramref name="expected"/> next: the batch on its way is sent again under that number.</summary>
    public void Resequence(long expected)
    {
        var state = _states.FindById(OutboxState.Key);
        state.NextSequence = expected;
        if (state.InFlightSequence > 0)
        {
            state.InFlightSequence = expected;
        }

        _states.Update(state);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _stopping.Cancel();
        _signal.Release();
        try
        {
            _writer.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
        }

        WriteBatch();
        _stopping.Dispose();
        _signal.Dispose();
        _store.Dispose();
    }

    private static TaskCompletionSource NewBatch() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task WriteLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                await _signal.WaitAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            if (!WriteBatch())
            {
                // The disk refused: the records stay queued; try again shortly.
                await Task.Delay(100).ConfigureAwait(false);
                _signal.Release();
            }
        }
    }

    /// <summary>Writes what is queued in one transaction; false when the write failed (the records stay queued).</summary>
    private bool WriteBatch()
    {
        List<OutboxRecord> batch;
        TaskCompletionSource done;
        lock (_lock)
        {
            if (_pending.Count == 0)
            {
                return true;
            }

            batch = _pending;
            done = _batch;
            _writing = done.Task;
            _pending = new List<OutboxRecord>(Math.Max(64, batch.Count));
            _batch = NewBatch();
        }

        try
        {
            _records.InsertBulk(batch);
            done.TrySetResult();
            return true;
        }
#pragma warning disable CA1031 // A failed write is retried; the error goes to the log.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogWriteFailed(_logger, ex, batch.Count);
            lock (_lock)
            {
                batch.AddRange(_pending);
                _pending = batch;
                _batch.Task.ContinueWith(t => done.TrySetResult(), TaskScheduler.Default);
            }

            return false;
        }
    }

    [LoggerMessage(EventId = 6520, Level = LogLevel.Error, Message = "{Count} usage records could not be written to the ledger outbox; they stay queued in memory and are written again shortly. Check the local store's disk.")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception, int count);
}
