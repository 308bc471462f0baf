namespace AiOrchestrator.Budgets;

/// <summary>
/// The ledger's state machine: wallets, reservations and remembered outcomes. <see cref="Apply"/> is the only way
/// state changes, live and in replay, so replaying the journal rebuilds exactly the state that was live.
/// Not thread-safe: the ledger calls it under its lock.
/// </summary>
internal sealed partial class LedgerState
{
    private readonly Dictionary<WalletId, WalletState> _wallets = [];
    private readonly Dictionary<long, Reservation> _reservations = [];
    private readonly Dictionary<long, Reservation> _pending = [];
    private readonly Dictionary<string, object> _outcomes = new(StringComparer.Ordinal);
    private readonly Queue<RetentionItem> _retention = new();
    private readonly long _retentionTicks;
    private readonly int _maxCalls;

    private List<WalletTransaction>? _history;
    private WalletId _historyWallet;

    public LedgerState(TimeSpan idempotencyRetention, int maxRememberedCalls = int.MaxValue)
    {
        _retentionTicks = idempotencyRetention.Ticks;
        _maxCalls = maxRememberedCalls;
    }

    public long LastSequence { get; private set; }

    public long LastReservationId { get; private set; }

    /// <summary>When true, <see cref="Apply"/> queues events in <see cref="Events"/> (live); replay leaves it off.</summary>
    public bool CollectEvents { get; set; }

    /// <summary>Events raised by the last applied entries, for the ledger to publish outside its lock.</summary>
    public List<EventArgs>? Events { get; set; }

    public Dictionary<long, Reservation>.ValueCollection Pending => _pending.Values;

    public int PendingCount => _pending.Count;

    public IEnumerable<WalletState> Wallets => _wallets.Values;

    /// <summary>How many wallets exist; wallets are never removed, so a change means a wallet was added.</summary>
    public int WalletCount => _wallets.Count;

    public bool TryGetWallet(WalletId id, out WalletState wallet) => _wallets.TryGetValue(id, out wallet!);

    public bool TryGetReservation(long id, out Reservation reservation) => _reservations.TryGetValue(id, out reservation!);

    public bool TryGetOutcome(string key, out object outcome) => _outcomes.TryGetValue(key, out outcome!);

    /// <summary>From now on, <see cref="Apply"/> appends the transactions of <paramref name="wallet"/> to <paramref name="history"/>.</summary>
    public void CaptureHistory(WalletId wallet, List<WalletTransaction> history)
    {
        _historyWallet = wallet;
        _history = history;
    }

    /// <summary>Applies one journal entry and returns its outcome (what a retry with the same key gets back).</summary>
    public object? Apply(in JournalEntry e)
    {
        // Forget what is past the window before this entry, as the live ledger does before it appends: pruned after,
        // a key reused past its window would lose its new outcome to the old key's retention item in replay.
        Prune(e.Ticks - _retentionTicks);
        object? outcome = null;
        switch (e.Kind)
        {
            case JournalEntryKind.Define:
                outcome = ApplyDefine(e);
                break;
            case JournalEntryKind.SetLimit:
            {
                var w = WalletOf(e.Wallet, e);
                var before = w.Limit;
                w.ChangeLimit(e.Amount);
                Record(w, e, WalletTransactionKind.LimitChanged, e.Amount, e.Amount - before, 0m);
                outcome = new LedgerReceipt(WalletTransactionKind.LimitChanged, e.Sequence, w.Id, w.ToMoney(e.Amount), 0, null);
                break;
            }

            case JournalEntryKind.Reserve:
                outcome = ApplyReserve(e);
                break;
            case JournalEntryKind.Reject:
                var rejection = (Rejection)e.Payload!;
                if (_wallets.TryGetValue(rejection.Wallet, out var refused))
                {
                    MarkExhausted(refused, rejection.Requested.Amount);
                }

                if (!e.Call.IsEmpty)
                {
                    RememberCall(e, new CallRecord
                    {
                        Ticks = e.Ticks,
                        Amount = e.Amount,
                        WalletsHash = CallRecord.HashWallets(rejection.Wallets),
                        State = CallState.Refused,
                    }, rejection);
                }

                outcome = rejection;
                break;
            case JournalEntryKind.Settle:
                outcome = ApplySettle(e);
                break;
            case JournalEntryKind.LateSettle:
                outcome = ApplyLateSettle(e);
                break;
            case JournalEntryKind.Release:
            case JournalEntryKind.Expire:
                outcome = ApplyVoid(e);
                break;
            case JournalEntryKind.TopUp:
            {
                var w = WalletOf(e.Wallet, e);
                w.TopUps += e.Amount;
                Record(w, e, WalletTransactionKind.TopUp, e.Amount, e.Amount, 0m);
                outcome = new LedgerReceipt(WalletTransactionKind.TopUp, e.Sequence, w.Id, w.ToMoney(e.Amount), 0, null);
                break;
            }

            case JournalEntryKind.Refund:
            {
                var w = WalletOf(e.Wallet, e);
                if (e.Amount > w.Spent)
                {
                    throw new InvalidDataException($"The budget journal refunds {e.Amount} to wallet '{w.Id}', which has spent only {w.Spent} (record {e.Sequence}).");
                }

                w.Spent -= e.Amount;
                Record(w, e, WalletTransactionKind.Refund, e.Amount, e.Amount, 0m);
                outcome = new LedgerReceipt(WalletTransactionKind.Refund, e.Sequence, w.Id, w.ToMoney(e.Amount), 0, null);
                break;
            }

            case JournalEntryKind.Adjust:
            {
                var w = WalletOf(e.Wallet, e);
                w.Spent += e.Amount;
                Record(w, e, WalletTransactionKind.Adjustment, e.Amount, -e.Amount, 0m);
                CheckThresholds(w);
                outcome = new LedgerReceipt(WalletTransactionKind.Adjustment, e.Sequence, w.Id, w.ToMoney(e.Amount), 0, null);
                break;
            }

            case JournalEntryKind.Rollover:
            {
                var w = WalletOf(e.Wallet, e);
                var before = w.Balance;
                var closingSpent = w.Spent;
                w.StartPeriod(e.Extra);

                // Holds made against last period's top-ups stay covered: that part of the top-ups carries over,
                // so spend + reserved never exceeds limit + top-ups.
                w.TopUps = w.Reserved > w.Limit ? w.Reserved - w.Limit : 0m;
                Record(w, e, WalletTransactionKind.Rollover, closingSpent, w.Balance - before, 0m);
                break;
            }

            default:
                throw new InvalidDataException($"The budget journal has a record of unknown kind {(int)e.Kind}.");
        }

        if (e.Sequence != LastSequence + 1)
        {
            throw new InvalidDataException($"The budget journal's record {e.Sequence} follows record {LastSequence}: records are missing or repeated.");
        }

        LastSequence = e.Sequence;
        if (e.Key is not null && outcome is not null)
        {
            _outcomes[e.Key] = outcome;
            _retention.Enqueue(new RetentionItem(e.Ticks, e.Key, 0));
        }

        return outcome;
    }

    /// <summary>Forgets idempotency keys and resolved reservations older than <paramref name="cutoffTicks"/>.</summary>
    public void Prune(long cutoffTicks)
    {
        while (_retention.TryPeek(out var item) && item.Ticks < cutoffTicks)
        {
            _retention.Dequeue();
            if (item.Key is not null)
            {
                _outcomes.Remove(item.Key);
            }
            else
            {
                _reservations.Remove(item.ReservationId);
            }
        }

        PruneCalls(cutoffTicks);
    }

    private WalletState WalletOf(WalletId id, in JournalEntry e)
        => _wallets.TryGetValue(id, out var w)
            ? w
            : throw new InvalidDataException($"The budget journal's record {e.Sequence} ({e.Kind}) names wallet '{id}', which was never defined.");

    private LedgerReceipt ApplyDefine(in JournalEntry e)
    {
        var definition = (WalletDefinition)e.Payload!;
        if (!_wallets.TryGetValue(definition.Id, out var w))
        {
            w = new WalletState(definition, e.Ticks);
            _wallets.Add(definition.Id, w);
            Record(w, e, WalletTransactionKind.Opened, w.Limit, w.Limit, 0m);
            return new LedgerReceipt(WalletTransactionKind.Opened, e.Sequence, w.Id, w.ToMoney(w.Limit), 0, definition);
        }

        var before = w.Limit;
        w.Redefine(definition, e.Ticks);
        Record(w, e, WalletTransactionKind.LimitChanged, w.Limit, w.Limit - before, 0m);
        return new LedgerReceipt(WalletTransactionKind.LimitChanged, e.Sequence, w.Id, w.ToMoney(w.Limit), 0, definition);
    }

    private Reservation ApplyReserve(in JournalEntry e)
    {
        var wallets = e.Wallets!;
        var reservation = new Reservation(
            e.ReservationId,
            wallets,
            new Money(e.Amount, e.Currency ?? Money.DefaultCurrency),
            new DateTimeOffset(e.Ticks, TimeSpan.Zero),
            new DateTimeOffset(e.Extra, TimeSpan.Zero),
            e.Key)
        {
            Call = e.Call,
        };
        if (_reservations.ContainsKey(reservation.Id))
        {
            throw new InvalidDataException($"The budget journal makes reservation {reservation.Id} twice (record {e.Sequence}).");
        }

        for (var i = 0; i < wallets.Length; i++)
        {
            var w = WalletOf(wallets[i], e);
            w.Reserved += e.Amount;
            Record(w, e, WalletTransactionKind.Reserve, e.Amount, 0m, e.Amount);
        }

        _reservations.Add(reservation.Id, reservation);
        _pending.Add(reservation.Id, reservation);
        if (reservation.Id > LastReservationId)
        {
            LastReservationId = reservation.Id;
        }

        if (!e.Call.IsEmpty)
        {
            RememberCall(e, new CallRecord
            {
                ReservationId = reservation.Id,
                Ticks = e.Ticks,
                Amount = e.Amount,
                WalletsHash = CallRecord.HashWallets(wallets),
                State = CallState.Reserved,
            }, null);
        }

        return reservation;
    }

    private Settlement ApplySettle(in JournalEntry e)
    {
        var reservation = Resolve(e, ReservationStatus.Settled);
        ResolveCall(reservation.Call, e.Sequence, reservation.Id, CallState.Reserved, CallState.Settled, e.Amount);
        var reserved = reservation.Amount.Amount;
        var posted = e.Amount;
        var overrun = posted > reserved ? posted - reserved : 0m;
        var released = posted < reserved ? reserved - posted : 0m;
        var wallets = reservation.WalletArray;
        for (var i = 0; i < wallets.Length; i++)
        {
            var w = WalletOf(wallets[i], e);
            w.Reserved -= reserved;
            w.Spent += posted;
            CountOverrun(w, overrun);
            Record(w, e, WalletTransactionKind.Settle, posted, -posted, -reserved, overrun);
            CheckThresholds(w);
        }

        var currency = reservation.Amount.Currency;
        return new Settlement(reservation.Id, e.Sequence, new Money(posted, currency), new Money(released, currency), new Money(overrun, currency), isLate: false);
    }

    /// <summary>
    /// Settles a reservation that had expired: its hold is already released, so the whole cost is posted to every
    /// wallet the record names (the record is self-contained, as the expired reservation may be forgotten).
    /// </summary>
    private Settlement ApplyLateSettle(in JournalEntry e)
    {
        if (e.Call.IsEmpty)
        {
            if (!_reservations.TryGetValue(e.ReservationId, out var reservation) || reservation.Status != ReservationStatus.Expired)
            {
                throw new InvalidDataException($"The budget journal settles reservation {e.ReservationId} late (record {e.Sequence}), but it is not expired.");
            }

            reservation.Status = ReservationStatus.Settled;
        }
        else
        {
            ResolveCall(e.Call, e.Sequence, e.ReservationId, CallState.Expired, CallState.LateSettled, e.Amount);
        }

        var wallets = e.Wallets ?? throw new InvalidDataException($"The budget journal's late settle {e.Sequence} names no wallets.");
        var posted = e.Amount;
        var overrun = posted > e.Held ? posted - e.Held : 0m;
        for (var i = 0; i < wallets.Length; i++)
        {
            var w = WalletOf(wallets[i], e);
            w.Spent += posted;
            CountOverrun(w, overrun);
            Record(w, e, WalletTransactionKind.LateSettle, posted, -posted, 0m, overrun);
            CheckThresholds(w);
        }

        var currency = e.Currency ?? Money.DefaultCurrency;
        return new Settlement(e.ReservationId, e.Sequence, new Money(posted, currency), new Money(0m, currency), new Money(overrun, currency), isLate: true);
    }

    private static void CountOverrun(WalletState w, decimal overrun)
    {
        if (overrun > 0m)
        {
            w.Overruns++;
            w.OverrunAmount += overrun;
        }
    }

    private LedgerReceipt ApplyVoid(in JournalEntry e)
    {
        var expired = e.Kind == JournalEntryKind.Expire;
        var reservation = Resolve(e, expired ? ReservationStatus.Expired : ReservationStatus.Released);
        ResolveCall(reservation.Call, e.Sequence, reservation.Id, CallState.Reserved, expired ? CallState.Expired : CallState.Released, 0m);
        var amount = reservation.Amount.Amount;
        var kind = expired ? WalletTransactionKind.Expire : WalletTransactionKind.Release;
        var wallets = reservation.WalletArray;
        for (var i = 0; i < wallets.Length; i++)
        {
            var w = WalletOf(wallets[i], e);
            w.Reserved -= amount;
            Record(w, e, kind, amount, 0m, -amount);
        }

        return new LedgerReceipt(kind, e.Sequence, default, reservation.Amount, reservation.Id, null);
    }

    private Reservation Resolve(in JournalEntry e, ReservationStatus status)
    {
        if (!_reservations.TryGetValue(e.ReservationId, out var reservation) || reservation.Status != ReservationStatus.Pending)
        {
            throw new InvalidDataException($"The budget journal resolves reservation {e.ReservationId}, which is not pending.");
        }

        reservation.Status = status;
        _pending.Remove(reservation.Id);
        if (reservation.Call.IsEmpty)
        {
            _retention.Enqueue(new RetentionItem(e.Ticks, null, reservation.Id));
        }
        else
        {
            // A hot-path reservation is remembered by its compact call record from now on, not as an object.
            _reservations.Remove(reservation.Id);
        }

        return reservation;
    }

    private void CheckThresholds(WalletState w)
    {
        var allowance = w.Allowance;
        if (allowance <= 0m)
        {
            return;
        }

        // Thresholds are sorted: stop at the first one not reached.
        var thresholds = w.Thresholds;
        for (var i = 0; i < thresholds.Length && i < 64; i++)
        {
            var bit = 1L << i;
            if ((w.Crossed & bit) != 0)
            {
                continue;
            }

            if (w.Spent < thresholds[i] * allowance)
            {
                break;
            }

            w.Crossed |= bit;
            if (CollectEvents)
            {
                (Events ??= []).Add(new BudgetThresholdCrossedEventArgs(
                    w.Id, thresholds[i], w.ToMoney(w.Spent), w.ToMoney(allowance), new DateTimeOffset(w.PeriodStartTicks, TimeSpan.Zero), w.ResetsAt));
            }
        }

        if (w.Spent >= allowance)
        {
            MarkExhausted(w, 0m);
        }
    }

    private void MarkExhausted(WalletState w, decimal requested)
    {
        if (w.Exhausted)
        {
            return;
        }

        w.Exhausted = true;
        if (CollectEvents)
        {
            (Events ??= []).Add(new WalletExhaustedEventArgs(
                w.Id, w.ToMoney(w.Spent), w.ToMoney(w.Reserved), w.ToMoney(w.Allowance), w.ToMoney(requested), w.ResetsAt));
        }
    }

    /// <summary>Opens a captured history that starts from a snapshot with the wallet's balance and holds at that point.</summary>
    public void RecordOpening(WalletId wallet)
    {
        if (_history is null || !_wallets.TryGetValue(wallet, out var w))
        {
            return;
        }

        _history.Add(new WalletTransaction
        {
            Sequence = LastSequence,
            Time = new DateTimeOffset(w.PeriodStartTicks, TimeSpan.Zero),
            Wallet = w.Id,
            Kind = WalletTransactionKind.OpeningBalance,
            Amount = w.ToMoney(w.Balance),
            BalanceChange = w.Balance,
            ReservedChange = w.Reserved,
        });
    }

    private void Record(WalletState w, in JournalEntry e, WalletTransactionKind kind, decimal amount, decimal balanceChange, decimal reservedChange, decimal overrun = 0m)
    {
        if (_history is null || w.Id != _historyWallet)
        {
            return;
        }

        _history.Add(new WalletTransaction
        {
            Sequence = e.Sequence,
            Time = new DateTimeOffset(e.Ticks, TimeSpan.Zero),
            Wallet = w.Id,
            Kind = kind,
            Amount = w.ToMoney(amount),
            BalanceChange = balanceChange,
            ReservedChange = reservedChange,
            Overrun = overrun,
            ReservationId = e.ReservationId,
            IdempotencyKey = e.Key,
        });
    }

    private readonly record struct RetentionItem(long Ticks, string? Key, long ReservationId);
}
