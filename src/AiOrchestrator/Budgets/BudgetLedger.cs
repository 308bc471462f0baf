using System.Diagnostics.Metrics;
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
    private int _auditFailureLogged;

    /// <summary>Where wallet administration is audited, when an audit log is registered.</summary>
    internal AiOrchestrator.Audit.IAuditSink? Audit { get; init; }
    private readonly long _timeoutTicks;
    private readonly long _retentionTicks;
    private readonly FileJournal? _journal;
    private readonly MemoryJournal? _memoryJournal;
    private readonly Thread? _writer;
    private readonly SemaphoreSlim _wake = new(0);
    private readonly ITimer _sweep;
    private readonly string? _snapshotPath;
    private readonly long _snapshotAfterBytes;
    private readonly long _segmentBytes;
    private readonly int _maxSegments;
    private readonly int _maxRememberedCalls;

    // Held while the live file is rotated and old segments deleted, and while history reads the segments.
    private readonly Lock _segments = new();
    private readonly JournalBuffer _snapshotBuffer = new();
    private readonly JournalBuffer _startSnapshotBuffer = new();
    private readonly BudgetMetrics _metrics;
    private long _evictionsReported;
    private long _snapshotOffset;
    private long _snapshotWriteOffset;
    private long _snapshotWriteSegment;
    private long _lastSnapshotBytes;
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
    /// <param name="options">The ledger's options.</param>
    /// <param name="timeProvider">The clock; the system clock by default.</param>
    /// <param name="logger">The logger; none by default.</param>
    /// <param name="meterFactory">Creates the ledger's meter (pass the host's, from DI); an own meter by default.</param>
    /// <exception cref="OptionsValidationException">The options are invalid.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A configured wallet has an unknown period.</exception>
    /// <exception cref="IOException">The journal cannot be opened (the message says why: open in another ledger, read-only file system, permission denied, disk full).</exception>
    /// <exception cref="JournalCorruptedException">The journal is damaged before its last record; see <see cref="RepairJournal"/>.</exception>
    /// <exception cref="InvalidDataException">The store path is not a budget journal.</exception>
    public BudgetLedger(BudgetOptions options, TimeProvider? timeProvider = null, ILogger<BudgetLedger>? logger = null, IMeterFactory? meterFactory = null)
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
        _state = new LedgerState(options.IdempotencyRetention, options.MaxRememberedCalls);
        foreach (var configured in options.Wallets)
        {
            if (!Enum.IsDefined(configured.Period))
            {
                throw BudgetRequests.UnknownPeriod(configured.Period, nameof(options));
            }
        }
        _snapshotAfterBytes = options.SnapshotAfterBytes;
        _segmentBytes = options.JournalSegmentBytes;
        _maxSegments = options.MaxJournalSegments;
        _maxRememberedCalls = options.MaxRememberedCalls;

        var records = 0;
        long torn = 0;
        if (options.StorePath is { } path && path != Microsoft.Extensions.DependencyInjection.BudgetServiceCollectionExtensions.InMemory)
        {
            _journal = FileJournal.Open(path);
            _snapshotPath = path + ".snapshot";
            try
            {
                _state = Recover(_journal, _snapshotPath, options, out _snapshotOffset, out records, out torn);
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

        _metrics = new BudgetMetrics(meterFactory, options.MetricsByWallet);
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
        _metrics.Dispose();
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
        _metrics.Dispose();
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
