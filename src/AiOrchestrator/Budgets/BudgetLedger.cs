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

    /// <inheritdoc/>
    public ValueTask<Reservation> ReserveAsync(IReadOnlyList<WalletId> wallets, Money amount, string idempotencyKey, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ArgumentNullException.ThrowIfNull(wallets);
        BudgetRequests.IdempotencyKey(idempotencyKey);
        BudgetRequests.PositiveAmount(amount, nameof(amount));
        if (wallets.Count == 0)
        {
            throw new ArgumentException("Name at least one wallet to reserve on.", nameof(wallets));
        }

        Reservation? reservation = null;
        Rejection? rejection = null;
        lock (_lock)
        {
            var now = Now();
            if (_state.TryGetOutcome(idempotencyKey, out var outcome))
            {
                if (outcome is Reservation earlier && earlier.SameRequest(wallets, amount))
                {
                    return new ValueTask<Reservation>(earlier);
                }

                if (outcome is Rejection refused && refused.Requested == amount && BudgetRequests.SameWallets(refused.Wallets, wallets))
                {
                    throw refused.ToException();
                }

                throw Conflict(idempotencyKey, outcome);
            }

            var ids = new WalletId[wallets.Count];
            if (_path.Length < ids.Length)
            {
                _path = new WalletState[ids.Length];
            }

            for (var i = 0; i < ids.Length; i++)
            {
                var id = wallets[i];
                var w = Wallet(id);
                _path[i] = w;
                if (!string.Equals(w.Currency, amount.Currency, StringComparison.Ordinal))
                {
                    throw new CurrencyMismatchException(w.Currency, amount.Currency);
                }

                for (var j = 0; j < i; j++)
                {
                    if (ids[j] == id)
                    {
                        throw new ArgumentException($"Wallet '{id}' is named twice; name each wallet of the scope path once.", nameof(wallets));
                    }
                }

                ids[i] = id;
            }

            for (var i = 0; i < ids.Length; i++)
            {
                RolloverIfDue(_path[i], now);
            }

            var refusing = FindRefusing(ids.Length, amount.Amount);
            if (refusing is not null && ExpireDue(now) > 0)
            {
                refusing = FindRefusing(ids.Length, amount.Amount);
            }

            Array.Clear(_path, 0, ids.Length);

            if (refusing is null)
            {
                var entry = new JournalEntry
                {
                    Kind = JournalEntryKind.Reserve,
                    ReservationId = _state.LastReservationId + 1,
                    Extra = now + _timeoutTicks,
                    Amount = amount.Amount,
                    Currency = amount.Currency,
                    Key = idempotencyKey,
                    Wallets = ids,
                };
                reservation = (Reservation)Append(ref entry, now)!;
                reservation.Durable = _current.Durable;
            }
            else
            {
                rejection = new Rejection(ids, amount, refusing.Id, refusing.CurrentLimit, refusing.ToMoney(refusing.Spent),
                    refusing.ToMoney(refusing.Reserved), refusing.ToMoney(refusing.TopUps), refusing.ResetsAt);
                var entry = new JournalEntry
                {
                    Kind = JournalEntryKind.Reject,
                    Amount = amount.Amount,
                    Currency = amount.Currency,
                    Key = idempotencyKey,
                    Wallets = ids,
                    Payload = rejection,
                };
                Append(ref entry, now);
            }
        }

        PublishEvents();
        if (rejection is not null)
        {
            BudgetMetrics.RecordRejection(rejection.Wallet);
            throw rejection.ToException();
        }

        return new ValueTask<Reservation>(reservation!);
    }

    /// <inheritdoc/>
    public ValueTask<Settlement> SettleAsync(long reservationId, Money actual, string idempotencyKey, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        BudgetRequests.IdempotencyKey(idempotencyKey);
        if (actual.Amount < 0m)
        {
            throw new ArgumentOutOfRangeException(nameof(actual), actual.Amount, $"The actual cost cannot be negative; got {actual}. Use RefundAsync to give spend back.");
        }

        Settlement settlement;
        Exception? resolved = null;
        lock (_lock)
        {
            var now = Now();
            if (_state.TryGetOutcome(idempotencyKey, out var outcome))
            {
                return outcome is Settlement earlier && earlier.ReservationId == reservationId && earlier.Posted == actual
                    ? new ValueTask<Settlement>(earlier)
                    : throw Conflict(idempotencyKey, outcome);
            }

            var reservation = PendingReservation(reservationId, actual.Currency, now, ref resolved);
            if (reservation is null)
            {
                settlement = null!;
            }
            else
            {
                var wallets = reservation.WalletArray;
                for (var i = 0; i < wallets.Length; i++)
                {
                    RolloverIfDue(Wallet(wallets[i]), now);
                }

                var entry = new JournalEntry
                {
                    Kind = JournalEntryKind.Settle,
                    ReservationId = reservationId,
                    Amount = actual.Amount,
                    Currency = actual.Currency,
                    Key = idempotencyKey,
                };
                settlement = (Settlement)Append(ref entry, now)!;
                settlement.Durable = _current.Durable;
            }
        }

        PublishEvents();
        return resolved is not null ? throw resolved : new ValueTask<Settlement>(settlement);
    }

    /// <inheritdoc/>
    public ValueTask<LedgerReceipt> ReleaseAsync(long reservationId, string idempotencyKey, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        BudgetRequests.IdempotencyKey(idempotencyKey);
        LedgerReceipt receipt;
        Exception? resolved = null;
        lock (_lock)
        {
            var now = Now();
            if (_state.TryGetOutcome(idempotencyKey, out var outcome))
            {
                return outcome is LedgerReceipt { Kind: WalletTransactionKind.Release } earlier && earlier.ReservationId == reservationId
                    ? new ValueTask<LedgerReceipt>(earlier)
                    : throw Conflict(idempotencyKey, outcome);
            }

            var reservation = PendingReservation(reservationId, currency: null, now, ref resolved);
            if (reservation is null)
            {
                receipt = null!;
            }
            else
            {
                var entry = new JournalEntry { Kind = JournalEntryKind.Release, ReservationId = reservationId, Key = idempotencyKey };
                receipt = (LedgerReceipt)Append(ref entry, now)!;
                receipt.Durable = _current.Durable;
            }
        }

        PublishEvents();
        return resolved is not null ? throw resolved : new ValueTask<LedgerReceipt>(receipt);
    }

    /// <inheritdoc/>
    public ValueTask<LedgerReceipt> TopUpAsync(WalletId wallet, Money amount, string idempotencyKey, CancellationToken cancellationToken = default)
    {
        BudgetRequests.PositiveAmount(amount, nameof(amount));
        return WalletChange(JournalEntryKind.TopUp, WalletTransactionKind.TopUp, wallet, amount, idempotencyKey, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<LedgerReceipt> RefundAsync(WalletId wallet, Money amount, string idempotencyKey, CancellationToken cancellationToken = default)
    {
        BudgetRequests.PositiveAmount(amount, nameof(amount));
        return WalletChange(JournalEntryKind.Refund, WalletTransactionKind.Refund, wallet, amount, idempotencyKey, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<LedgerReceipt> AdjustAsync(WalletId wallet, Money spendChange, string idempotencyKey, CancellationToken cancellationToken = default)
    {
        if (spendChange.Amount == 0m)
        {
            throw new ArgumentOutOfRangeException(nameof(spendChange), spendChange.Amount, "An adjustment must not be zero.");
        }

        return WalletChange(JournalEntryKind.Adjust, WalletTransactionKind.Adjustment, wallet, spendChange, idempotencyKey, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<LedgerReceipt> SetLimitAsync(WalletId wallet, Money limit, string idempotencyKey, CancellationToken cancellationToken = default)
    {
        if (limit.Amount < 0m)
        {
            throw new ArgumentOutOfRangeException(nameof(limit), limit.Amount, $"A limit cannot be negative; got {limit}.");
        }

        return WalletChange(JournalEntryKind.SetLimit, WalletTransactionKind.LimitChanged, wallet, limit, idempotencyKey, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<LedgerReceipt> DefineWalletAsync(WalletDefinition definition, string idempotencyKey, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ArgumentNullException.ThrowIfNull(definition);
        BudgetRequests.IdempotencyKey(idempotencyKey);
        if (definition.Id.IsEmpty)
        {
            throw new ArgumentException("The wallet definition has no id.", nameof(definition));
        }

        if (definition.Limit.Amount.Amount < 0m)
        {
            throw new ArgumentOutOfRangeException(nameof(definition), definition.Limit.Amount.Amount, "A limit cannot be negative.");
        }

        if (!BudgetCalendar.TryFindZone(definition.TimeZone, out _))
        {
            throw new ArgumentException($"Time zone '{definition.TimeZone}' was not found. Use an IANA id such as 'Europe/Berlin' or 'UTC'.", nameof(definition));
        }

        foreach (var threshold in definition.SoftThresholds)
        {
            if (threshold <= 0m || threshold > 10m)
            {
                throw new ArgumentOutOfRangeException(nameof(definition), threshold, "Soft thresholds are fractions above 0 and at most 10 (0.8 = 80 %).");
            }
        }

        LedgerReceipt receipt;
        lock (_lock)
        {
            var now = Now();
            if (_state.TryGetOutcome(idempotencyKey, out var outcome))
            {
                return outcome is LedgerReceipt { Definition: { } earlier } first && earlier.Equals(definition)
                    ? new ValueTask<LedgerReceipt>(first)
                    : throw Conflict(idempotencyKey, outcome);
            }

            if (_state.TryGetWallet(definition.Id, out var existing))
            {
                if (existing.Currency != definition.Limit.Amount.Currency)
                {
                    throw new CurrencyMismatchException(existing.Currency, definition.Limit.Amount.Currency);
                }

                RolloverIfDue(existing, now);
                if (definition.Limit.Amount.Amount < existing.Spent + existing.Reserved)
                {
                    throw new BudgetLimitBelowSpendException(existing.Id, definition.Limit.Amount, existing.ToMoney(existing.Spent), existing.ToMoney(existing.Reserved));
                }
            }

            var entry = new JournalEntry { Kind = JournalEntryKind.Define, Wallet = definition.Id, Payload = definition, Key = idempotencyKey };
            receipt = (LedgerReceipt)Append(ref entry, now)!;
            receipt.Durable = _current.Durable;
        }

        PublishEvents();
        return new ValueTask<LedgerReceipt>(receipt);
    }

    /// <inheritdoc/>
    public Wallet GetWallet(WalletId wallet)
    {
        lock (_lock)
        {
            var w = Wallet(wallet);
            if (_fault is null && Volatile.Read(ref _disposed) == 0)
            {
                RolloverIfDue(w, _time.GetUtcNow().UtcTicks);
            }

            return w.ToSnapshot();
        }
    }

    /// <summary>
    /// The least that any of <paramref name="wallets"/> still has available in its current period (never below
    /// zero), without building wallet snapshots: the budget stage asks this on every call.
    /// </summary>
    internal Money MinimumAvailable(IReadOnlyList<WalletId> wallets, string currency)
    {
        var available = decimal.MaxValue;
        lock (_lock)
        {
            var now = _time.GetUtcNow().UtcTicks;
            for (var i = 0; i < wallets.Count; i++)
            {
                var w = Wallet(wallets[i]);
                if (!string.Equals(w.Currency, currency, StringComparison.Ordinal))
                {
                    throw new CurrencyMismatchException(w.Currency, currency);
                }

                if (_fault is null && Volatile.Read(ref _disposed) == 0)
                {
                    RolloverIfDue(w, now);
                }

                available = Math.Min(available, w.Available);
            }
        }

        return new Money(Math.Max(0m, available), currency);
    }

    /// <inheritdoc/>
    public IReadOnlyList<WalletId> GetWalletPath(AiScope scope)
    {
        var path = WalletId.PathOf(scope);
        List<WalletId>? existing = null;
        lock (_lock)
        {
            foreach (var id in path)
            {
                if (_state.TryGetWallet(id, out _))
                {
                    (existing ??= new List<WalletId>(path.Count)).Add(id);
                }
            }
        }

        // Scopes without wallets are asked about on every call: answer them without allocating.
        return existing ?? (IReadOnlyList<WalletId>)[];
    }

    /// <inheritdoc/>
    public Reservation? FindReservation(long reservationId)
    {
        lock (_lock)
        {
            return _state.TryGetReservation(reservationId, out var reservation) ? reservation : null;
        }
    }

    /// <inheritdoc/>
    public IReadOnlyList<Wallet> GetWallets()
    {
        lock (_lock)
        {
            var wallets = new List<Wallet>();
            foreach (var w in _state.Wallets)
            {
                wallets.Add(w.ToSnapshot());
            }

            return wallets;
        }
    }

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<WalletTransaction>> GetHistoryAsync(WalletId wallet, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            _ = Wallet(wallet);
        }

        // Replays the journal into a scratch state that records this wallet's transactions: the history is
        // produced by the same code that produced the balance, so the two cannot disagree.
        var history = new List<WalletTransaction>();
        var scratch = new LedgerState(TimeSpan.MaxValue);
        scratch.CaptureHistory(wallet, history);
        if (_journal is not null)
        {
            await FlushAsync(cancellationToken).ConfigureAwait(false);
            _journal.Read(0, _journal.Length, entry => scratch.Apply(entry));
        }
        else
        {
            JournalEntry[] entries;
            lock (_lock)
            {
                entries = _memoryJournal!.ToArray();
            }

            foreach (var entry in entries)
            {
                scratch.Apply(entry);
            }
        }

        return history;
    }

    /// <inheritdoc/>
    public Task FlushAsync(CancellationToken cancellationToken = default)
    {
        Task task;
        lock (_lock)
        {
            if (_current.Entries.Count > 0)
            {
                task = _current.Durable;
                Wake();
            }
            else
            {
                task = _writing?.Durable ?? Task.CompletedTask;
            }
        }

        return task.WaitAsync(cancellationToken);
    }

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

    /// <summary>Expires every pending reservation past its expiry; returns how many. The timer calls it periodically.</summary>
    internal int Sweep()
    {
        int expired;
        lock (_lock)
        {
            if (_fault is not null || Volatile.Read(ref _disposed) != 0)
            {
                return 0;
            }

            var now = _time.GetUtcNow().UtcTicks;
            _state.Prune(now - _retentionTicks);
            expired = ExpireDue(now);
        }

        if (expired > 0)
        {
            BudgetLog.Expired(_logger, expired);
        }

        PublishEvents();
        return expired;
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

    private ValueTask<LedgerReceipt> WalletChange(JournalEntryKind kind, WalletTransactionKind transactionKind, WalletId wallet, Money amount, string idempotencyKey, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        BudgetRequests.IdempotencyKey(idempotencyKey);
        LedgerReceipt receipt;
        lock (_lock)
        {
            var now = Now();
            if (_state.TryGetOutcome(idempotencyKey, out var outcome))
            {
                return outcome is LedgerReceipt earlier && earlier.Kind == transactionKind && earlier.Wallet == wallet && earlier.Amount == amount
                    ? new ValueTask<LedgerReceipt>(earlier)
                    : throw Conflict(idempotencyKey, outcome);
            }

            var w = Wallet(wallet);
            if (!string.Equals(w.Currency, amount.Currency, StringComparison.Ordinal))
            {
                throw new CurrencyMismatchException(w.Currency, amount.Currency);
            }

            RolloverIfDue(w, now);
            if (kind == JournalEntryKind.SetLimit && amount.Amount < w.Spent + w.Reserved)
            {
                throw new BudgetLimitBelowSpendException(w.Id, amount, w.ToMoney(w.Spent), w.ToMoney(w.Reserved));
            }

            var entry = new JournalEntry { Kind = kind, Wallet = wallet, Amount = amount.Amount, Currency = amount.Currency, Key = idempotencyKey };
            receipt = (LedgerReceipt)Append(ref entry, now)!;
            receipt.Durable = _current.Durable;
        }

        PublishEvents();
        return new ValueTask<LedgerReceipt>(receipt);
    }

    /// <summary>Finds a reservation that can still be resolved; expires it first if its time is up.</summary>
    private Reservation? PendingReservation(long reservationId, string? currency, long now, ref Exception? resolved)
    {
        if (!_state.TryGetReservation(reservationId, out var reservation))
        {
            throw new ReservationNotFoundException(reservationId);
        }

        if (currency is not null && !string.Equals(currency, reservation.Amount.Currency, StringComparison.Ordinal))
        {
            throw new CurrencyMismatchException(reservation.Amount.Currency, currency);
        }

        if (reservation.Status == ReservationStatus.Pending && now >= reservation.ExpiresAt.UtcTicks)
        {
            Expire(reservation, now);
        }

        if (reservation.Status != ReservationStatus.Pending)
        {
            resolved = new ReservationAlreadyResolvedException(reservationId, reservation.Status);
            return null;
        }

        return reservation;
    }

    /// <summary>The first wallet of the path being reserved (in <see cref="_path"/>) that cannot cover the amount.</summary>
    private WalletState? FindRefusing(int count, decimal amount)
    {
        for (var i = 0; i < count; i++)
        {
            var w = _path[i];
            if (w.Available < amount)
            {
                return w;
            }
        }

        return null;
    }

    private int ExpireDue(long now)
    {
        List<Reservation>? due = null;
        foreach (var reservation in _state.Pending)
        {
            if (now >= reservation.ExpiresAt.UtcTicks)
            {
                (due ??= []).Add(reservation);
            }
        }

        if (due is null)
        {
            return 0;
        }

        foreach (var reservation in due)
        {
            Expire(reservation, now);
        }

        return due.Count;
    }

    private void Expire(Reservation reservation, long now)
    {
        var entry = new JournalEntry { Kind = JournalEntryKind.Expire, ReservationId = reservation.Id };
        Append(ref entry, now);
    }

    private void RolloverIfDue(WalletState w, long now)
    {
        if (now >= w.ResetsAtTicks)
        {
            var entry = new JournalEntry
            {
                Kind = JournalEntryKind.Rollover,
                Wallet = w.Id,
                Extra = BudgetCalendar.PeriodStart(w.Period, w.Zone, now),
                Currency = w.Currency,
            };
            Append(ref entry, now);
        }
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

    /// <summary>Applies an entry to the state and queues it for the journal. Called under the lock.</summary>
    private object? Append(ref JournalEntry entry, long now)
    {
        entry.Sequence = _state.LastSequence + 1;
        entry.Ticks = now;
        var outcome = _state.Apply(entry);
        if (_memoryJournal is not null)
        {
            _memoryJournal.Add(entry);
            return outcome;
        }

        _current.Entries.Add(entry);
        if (_writerWaiting)
        {
            Wake();
        }

        return outcome;
    }

    private void Wake()
    {
        if (_writerWaiting)
        {
            _writerWaiting = false;
            _wake.Release();
        }
    }

    private void ThrowIfUnavailable()
    {
        if (_fault is not null)
        {
            throw new InvalidOperationException("The budget journal could not be written, so the ledger refuses changes it cannot make durable. Fix the disk problem and restart.", _fault);
        }

        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
    }

    private static IdempotencyConflictException Conflict(string key, object outcome) => new(key, outcome switch
    {
        Reservation r => $"reserve {r.Amount} on {string.Join(", ", r.Wallets)}",
        Rejection j => $"refused reserve of {j.Requested} on {string.Join(", ", j.Wallets)}",
        Settlement s => $"settle reservation {s.ReservationId} at {s.Posted}",
        LedgerReceipt { Kind: WalletTransactionKind.Release } l => $"release reservation {l.ReservationId}",
        LedgerReceipt { Definition: not null } l => $"define wallet {l.Wallet}",
        LedgerReceipt l => $"{l.Kind} of {l.Amount} on {l.Wallet}",
        _ => "another request",
    });

    private void PublishEvents()
    {
        List<EventArgs>? events;
        lock (_lock)
        {
            events = _state.Events;
            if (events is null)
            {
                return;
            }

            _state.Events = null;
        }

        foreach (var e in events)
        {
            try
            {
                switch (e)
                {
                    case BudgetThresholdCrossedEventArgs crossed:
                        BudgetMetrics.RecordThreshold(crossed);
                        BudgetLog.ThresholdCrossed(_logger, crossed.Wallet, crossed.Threshold, crossed.Spent, crossed.Allowance);
                        ThresholdCrossed?.Invoke(this, crossed);
                        break;
                    case WalletExhaustedEventArgs exhausted:
                        BudgetMetrics.RecordExhausted(exhausted);
                        BudgetLog.Exhausted(_logger, exhausted.Wallet, exhausted.Spent, exhausted.Reserved, exhausted.Allowance);
                        WalletExhausted?.Invoke(this, exhausted);
                        break;
                }
            }
#pragma warning disable CA1031 // A faulty handler must not undo or hide a ledger change that has already happened.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                BudgetLog.HandlerFailed(_logger, ex);
            }
        }
    }

    private void WriteLoop()
    {
        while (true)
        {
            CommitBatch? batch = null;
            lock (_lock)
            {
                if (_current.Entries.Count > 0)
                {
                    batch = _current;
                    _current = new CommitBatch(_spare ?? []);
                    _spare = null;
                    _writing = batch;
                }
                else if (_stopping)
                {
                    break;
                }
                else
                {
                    _writerWaiting = true;
                }
            }

            if (batch is null)
            {
                _wake.Wait();
                continue;
            }

            try
            {
                _journal!.Append(batch.Entries);
                batch.Complete();
            }
#pragma warning disable CA1031 // The failure is kept and reported to every caller from now on.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Fail(batch, ex);
                return;
            }

            Recycle(batch);

            // Snapshot once the journal has grown by the configured size and by four times the last snapshot, so
            // snapshot writes stay a small part of the disk traffic however large the remembered state is.
            if (_snapshotWrite.IsCompleted
                && _journal.Length - Volatile.Read(ref _snapshotOffset) >= Math.Max(_snapshotAfterBytes, 4L * _snapshotBuffer.Length))
            {
                TakeSnapshot(inline: false);
                if (_fault is not null)
                {
                    // Nothing more may reach the journal after a failed write, or it would have a gap.
                    return;
                }
            }
        }

        // A clean stop leaves a snapshot, so the next start replays nothing. The writer is a dedicated thread, so
        // waiting here blocks no caller.
        _snapshotWrite.Wait();
        if (_fault is null && _journal!.Length > _snapshotOffset)
        {
            TakeSnapshot(inline: true);
        }
    }

    private void Recycle(CommitBatch batch)
    {
        batch.Entries.Clear();
        lock (_lock)
        {
            _spare = batch.Entries;
        }
    }

    /// <summary>
    /// Copies the state as of the end of the journal and writes it to the snapshot file. Entries queued when the
    /// state is copied are written to the journal first, so the snapshot matches the journal's end exactly. The file
    /// is written off the writer thread (unless <paramref name="inline"/>), so group commits go on meanwhile.
    /// </summary>
    private void TakeSnapshot(bool inline)
    {
        CommitBatch? tail = null;
        lock (_lock)
        {
            if (_current.Entries.Count > 0)
            {
                tail = _current;
                _current = new CommitBatch(_spare ?? []);
                _spare = null;
                _writing = tail;
            }

            _snapshotBuffer.Clear();
            _state.WriteSnapshot(_snapshotBuffer);
        }

        if (tail is not null)
        {
            try
            {
                _journal!.Append(tail.Entries);
                tail.Complete();
            }
#pragma warning disable CA1031 // The failure is kept and reported to every caller from now on.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Fail(tail, ex);
                return;
            }

            Recycle(tail);
        }

        _snapshotWriteOffset = _journal!.Length;
        if (inline)
        {
            WriteSnapshotFile();
        }
        else
        {
            _snapshotWrite = Task.Factory.StartNew(
                static ledger => ((BudgetLedger)ledger!).WriteSnapshotFile(), this, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }
    }

    private void WriteSnapshotFile()
    {
        try
        {
            SnapshotFile.Write(_snapshotPath!, _snapshotWriteOffset, _snapshotBuffer.Written);
            Volatile.Write(ref _snapshotOffset, _snapshotWriteOffset);
            BudgetLog.SnapshotWritten(_logger, _snapshotWriteOffset, _snapshotBuffer.Length);
        }
#pragma warning disable CA1031 // The journal is whole without a snapshot: the next start replays more, nothing is lost.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            BudgetLog.SnapshotFailed(_logger, ex);
        }
    }

    private void Fail(CommitBatch batch, Exception ex)
    {
        BudgetLog.JournalFailed(_logger, ex);
        batch.Fail(ex);
        lock (_lock)
        {
            _fault = ex;
            _current.Fail(ex);
        }
    }
}
