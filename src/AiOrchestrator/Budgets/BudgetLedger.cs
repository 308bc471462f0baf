using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AiOrchestrator.Budgets;

/// <summary>
/// The local budget ledger: wallets held in memory under one lock (so a reservation across a scope path is atomic
/// and takes microseconds), with every mutation appended to a journal file that a single writer flushes to disk in
/// batches (group commit). On start it replays the journal and releases reservations a crash left pending.
/// </summary>
/// <remarks>Thread-safe. Open one ledger per journal file; a second one on the same file fails to open.</remarks>
public sealed partial class BudgetLedger : IBudgetLedger, IAsyncDisposable, IDisposable
{
    private readonly Lock _lock = new();
    private readonly LedgerState _state;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly long _timeoutTicks;
    private readonly long _retentionTicks;
    private readonly FileJournal? _journal;
    private readonly MemoryJournal? _memoryJournal;
    private readonly Thread? _writer;
    private readonly SemaphoreSlim _wake = new(0);
    private readonly ITimer _sweep;
    private readonly string? _snapshotPath;
    private readonly long _snapshotAfterBytes;
    private readonly JournalBuffer _snapshotBuffer = new();
    private long _snapshotOffset;
    private long _snapshotWriteOffset;
    private Task _snapshotWrite = Task.CompletedTask;

    private CommitBatch _current = new([]);

    // The wallets of the path being reserved, reused under the lock so a reserve looks each wallet up once.
    private WalletState[] _path = new WalletState[4];
    private CommitBatch? _writing;
    private List<JournalEntry>? _spare = [];
    private bool _writerWaiting;
    private bool _stopping;
    private Exception? _fault;
    private int _disposed;

    /// <summary>Opens the ledger: replays its journal (if <see cref="BudgetOptions.StorePath"/> is set) and applies the configured wallets.</summary>
    /// <exception cref="OptionsValidationException">The options are invalid.</exception>
    /// <exception cref="IOException">The journal is open in another ledger.</exception>
    public BudgetLedger(BudgetOptions options, TimeProvider? timeProvider = null, ILogger<BudgetLedger>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var validation = new BudgetOptionsValidator().Validate(null, options);
        if (validation.Failed)
        {
            throw new OptionsValidationException(nameof(BudgetOptions), typeof(BudgetOptions), validation.Failures);
        }

        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _timeoutTicks = options.ReservationTimeout.Ticks;
        _retentionTicks = options.IdempotencyRetention.Ticks;
        _state = new LedgerState(options.IdempotencyRetention);
        _snapshotAfterBytes = options.SnapshotAfterBytes;

        var records = 0;
        long torn = 0;
        if (options.StorePath is { } path)
        {
            _journal = FileJournal.Open(path);
            _snapshotPath = path + ".snapshot";
            try
            {
                // Start from the snapshot when there is an intact one; the journal after it is replayed on top.
                if (SnapshotFile.TryRead(_snapshotPath, out var offset, out var snapshot) && offset <= _journal.FileLength)
                {
                    _state = LedgerState.ReadSnapshot(snapshot, options.IdempotencyRetention);
                    _snapshotOffset = offset;
                }

                torn = _journal.Recover(_snapshotOffset, entry =>
                {
                    _state.Apply(entry);
                    records++;
                });
            }
            catch
            {
                _journal.Dispose();
                throw;
            }
        }
        else
        {
            _memoryJournal = new MemoryJournal();
        }

        var now = _time.GetUtcNow().UtcTicks;
        _state.Prune(now - options.IdempotencyRetention.Ticks);
        lock (_lock)
        {
            foreach (var configured in options.Wallets)
            {
                var definition = configured.ToDefinition(options.TimeZone);
                if (!_state.TryGetWallet(definition.Id, out var existing) || !existing.Definition.Equals(definition))
                {
                    if (existing is not null && existing.Currency != definition.Limit.Amount.Currency)
                    {
                        throw new CurrencyMismatchException(existing.Currency, definition.Limit.Amount.Currency);
                    }

                    var entry = new JournalEntry { Kind = JournalEntryKind.Define, Wallet = definition.Id, Payload = definition, Currency = existing?.Currency };
                    Append(ref entry, now);
                }
            }

            // Reservations a crash left pending belong to calls that died with the process.
            var released = 0;
            if (_state.PendingCount > 0)
            {
                foreach (var reservation in new List<Reservation>(_state.Pending))
                {
                    var entry = new JournalEntry { Kind = JournalEntryKind.Release, ReservationId = reservation.Id };
                    Append(ref entry, now);
                    released++;
                }
            }

            if (_journal is not null)
            {
                if (_current.Entries.Count > 0)
                {
                    _journal.Append(_current.Entries);
                    _current.Entries.Clear();
                }

                BudgetLog.Recovered(_logger, records, _journal.Path, released, torn);
            }
        }

        _state.CollectEvents = true;
        if (_journal is not null)
        {
            _writer = new Thread(WriteLoop) { IsBackground = true, Name = "AiOrchestrator budget journal" };
            _writer.Start();
        }

        _sweep = _time.CreateTimer(static s => ((BudgetLedger)s!).Sweep(), this, options.ExpirySweepInterval, options.ExpirySweepInterval);
    }

    /// <inheritdoc/>
    public event EventHandler<BudgetThresholdCrossedEventArgs>? ThresholdCrossed;

    /// <inheritdoc/>
    public event EventHandler<WalletExhaustedEventArgs>? WalletExhausted;

    /// <summary>The path of the journal file, or null for an in-memory ledger.</summary>
    public string? StorePath => _journal?.Path;

    /// <summary>Stops the journal writer after it has written everything applied so far, and closes the journal.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!BeginDispose())
        {
            return;
        }

        await _sweep.DisposeAsync().ConfigureAwait(false);
        if (_writer is not null)
        {
            await Task.Factory.StartNew(static w => ((Thread)w!).Join(), _writer, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)
                .ConfigureAwait(false);
        }

        _journal?.Dispose();
        _wake.Dispose();
    }

    /// <summary>Stops the journal writer after it has written everything applied so far, and closes the journal.</summary>
    public void Dispose()
    {
        if (!BeginDispose())
        {
            return;
        }

        _sweep.Dispose();
        _writer?.Join();
        _journal?.Dispose();
        _wake.Dispose();
    }

    private bool BeginDispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return false;
        }

        lock (_lock)
        {
            _stopping = true;
            Wake();
        }

        return true;
    }

    /// <summary>Checks the ledger can take changes, forgets keys past the retention window, and returns the time.</summary>
    private long Now()
    {
        ThrowIfUnavailable();
        var now = _time.GetUtcNow().UtcTicks;
        _state.Prune(now - _retentionTicks);
        return now;
    }

    private WalletState Wallet(WalletId id)
        => !id.IsEmpty && _state.TryGetWallet(id, out var w) ? w : throw new UnknownWalletException(id);

    private void ThrowIfUnavailable()
    {
        if (_fault is not null)
        {
            throw new InvalidOperationException("The budget journal could not be written, so the ledger refuses changes it cannot make durable. Fix the disk problem and restart.", _fault);
        }

        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
    }
}
