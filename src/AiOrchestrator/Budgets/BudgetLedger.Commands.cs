namespace AiOrchestrator.Budgets;

#pragma warning disable RS0026 // Two overloads with a default token implement two interfaces; their leading parameters differ in type.

// Commands: reserve, settle, release and the wallet changes. Every change is applied under the lock and queued for the journal.
public sealed partial class BudgetLedger
{
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

            reservation = ReserveLocked(wallets, amount, idempotencyKey, default, now, out rejection);
        }

        PublishEvents();
        if (rejection is not null)
        {
            _metrics.RecordRejection(rejection.Wallet);
            throw rejection.ToException();
        }

        return new ValueTask<Reservation>(reservation!);
    }

    /// <summary>
    /// Reserves on the path or records the refusal (under the lock): the one reserve used by both the string-keyed
    /// API (<paramref name="key"/>) and the hot path (<paramref name="call"/>).
    /// </summary>
    private Reservation? ReserveLocked(IReadOnlyList<WalletId> wallets, Money amount, string? key, CallKey call, long now, out Rejection? rejection)
    {
        rejection = null;
        var ids = new WalletId[wallets.Count];
        if (_path.Length < ids.Length)
        {
            _path = new WalletState[ids.Length];
        }

        try
        {
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

            if (refusing is null)
            {
                var entry = new JournalEntry
                {
                    Kind = JournalEntryKind.Reserve,
                    ReservationId = _state.LastReservationId + 1,
                    Extra = now + _timeoutTicks,
                    Amount = amount.Amount,
                    Currency = amount.Currency,
                    Key = key,
                    Call = call,
                    Wallets = ids,
                };
                var reservation = (Reservation)Append(ref entry, now)!;
                reservation.Durable = _current.Durable;
                return reservation;
            }

            rejection = new Rejection(ids, amount, refusing.Id, refusing.CurrentLimit, refusing.ToMoney(refusing.Spent),
                refusing.ToMoney(refusing.Reserved), refusing.ToMoney(refusing.TopUps), refusing.ResetsAt);
            var refused = new JournalEntry
            {
                Kind = JournalEntryKind.Reject,
                Amount = amount.Amount,
                Currency = amount.Currency,
                Key = key,
                Call = call,
                Wallets = ids,
                Payload = rejection,
            };
            Append(ref refused, now);
            return null;
        }
        finally
        {
            Array.Clear(_path, 0, ids.Length);
        }
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

            if (!_state.TryGetReservation(reservationId, out var reservation))
            {
                throw new ReservationNotFoundException(reservationId);
            }

            settlement = SettleLocked(reservation, actual, idempotencyKey, default, now, out resolved)!;
        }

        PublishEvents();
        return resolved is not null ? throw resolved : new ValueTask<Settlement>(settlement);
    }

    /// <summary>
    /// Settles <paramref name="reservation"/> (under the lock): posts the actual cost and releases the hold, or, when
    /// it has expired, posts the whole cost late. Null with <paramref name="resolved"/> set when it was already
    /// settled or released.
    /// </summary>
    private Settlement? SettleLocked(Reservation reservation, Money actual, string? key, CallKey call, long now, out Exception? resolved)
    {
        resolved = null;
        if (!string.Equals(actual.Currency, reservation.Amount.Currency, StringComparison.Ordinal))
        {
            throw new CurrencyMismatchException(reservation.Amount.Currency, actual.Currency);
        }

        if (reservation.Status == ReservationStatus.Pending && now >= reservation.ExpiresAt.UtcTicks)
        {
            Expire(reservation, now);
        }

        if (reservation.Status is not (ReservationStatus.Pending or ReservationStatus.Expired))
        {
            resolved = new ReservationAlreadyResolvedException(reservation.Id, reservation.Status);
            return null;
        }

        var wallets = reservation.WalletArray;
        for (var i = 0; i < wallets.Length; i++)
        {
            RolloverIfDue(Wallet(wallets[i]), now);
        }

        var late = reservation.Status == ReservationStatus.Expired;
        var entry = new JournalEntry
        {
            Kind = late ? JournalEntryKind.LateSettle : JournalEntryKind.Settle,
            ReservationId = reservation.Id,
            Amount = actual.Amount,
            Currency = actual.Currency,
            Key = key,
            Call = call,
            Wallets = late ? wallets : null,
            Held = late ? reservation.Amount.Amount : 0m,
        };
        var settlement = (Settlement)Append(ref entry, now)!;
        if (late)
        {
            // A forgotten hot-path reservation is not in the state: mark the caller's object, so it resolves once.
            reservation.Status = ReservationStatus.Settled;
        }

        settlement.Durable = _current.Durable;
        if (settlement.IsOverrun)
        {
            _metrics.RecordOverruns(wallets);
        }

        return settlement;
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
        return Administered("top-up", wallet, amount, WalletChange(JournalEntryKind.TopUp, WalletTransactionKind.TopUp, wallet, amount, idempotencyKey, cancellationToken));
    }

    /// <inheritdoc/>
    public ValueTask<LedgerReceipt> RefundAsync(WalletId wallet, Money amount, string idempotencyKey, CancellationToken cancellationToken = default)
    {
        BudgetRequests.PositiveAmount(amount, nameof(amount));
        return Administered("refund", wallet, amount, WalletChange(JournalEntryKind.Refund, WalletTransactionKind.Refund, wallet, amount, idempotencyKey, cancellationToken));
    }

    /// <inheritdoc/>
    public ValueTask<LedgerReceipt> AdjustAsync(WalletId wallet, Money spendChange, string idempotencyKey, CancellationToken cancellationToken = default)
    {
        if (spendChange.Amount == 0m)
        {
            throw new ArgumentOutOfRangeException(nameof(spendChange), spendChange.Amount, "An adjustment must not be zero.");
        }

        return Administered("adjust", wallet, spendChange, WalletChange(JournalEntryKind.Adjust, WalletTransactionKind.Adjustment, wallet, spendChange, idempotencyKey, cancellationToken));
    }

    /// <inheritdoc/>
    public ValueTask<LedgerReceipt> SetLimitAsync(WalletId wallet, Money limit, string idempotencyKey, CancellationToken cancellationToken = default)
    {
        if (limit.Amount < 0m)
        {
            throw new ArgumentOutOfRangeException(nameof(limit), limit.Amount, $"A limit cannot be negative; got {limit}.");
        }

        return Administered("set-limit", wallet, limit, WalletChange(JournalEntryKind.SetLimit, WalletTransactionKind.LimitChanged, wallet, limit, idempotencyKey, cancellationToken));
    }

    /// <inheritdoc/>
    public ValueTask<LedgerReceipt> DefineWalletAsync(WalletDefinition definition, string idempotencyKey, CancellationToken cancellationToken = default)
        => definition is null
            ? DefineWalletCoreAsync(definition!, idempotencyKey, cancellationToken)
            : Administered("define", definition.Id, definition.Limit.Amount, DefineWalletCoreAsync(definition, idempotencyKey, cancellationToken));

    /// <summary>
    /// Appends a wallet administration entry to the audit log (when one is registered) once the change has been
    /// accepted; a refused change is not audited as done.
    /// </summary>
    private ValueTask<LedgerReceipt> Administered(string operation, WalletId wallet, Money amount, ValueTask<LedgerReceipt> change)
    {
        return Audit is null ? change : AuditedAsync(Audit, change);

        async ValueTask<LedgerReceipt> AuditedAsync(AiOrchestrator.Audit.IAuditSink sink, ValueTask<LedgerReceipt> pending)
        {
            var receipt = await pending.ConfigureAwait(false);
            var entry = new AiOrchestrator.Audit.AuditEvent(AiOrchestrator.Audit.AuditEntryKind.WalletAdministration, AiCallId.New(_time.GetUtcNow()))
            {
                Amount = amount.Amount,
                Currency = amount.Currency,
                Attributes = AiOrchestrator.Audit.AuditAttributes.Of(AiOrchestrator.Audit.AuditAttributeKey.Wallet, wallet.Value, AiOrchestrator.Audit.AuditAttributeKey.Setting, operation),
            };
            AiOrchestrator.Audit.AuditStage.Append(sink, entry, _logger, ref _auditFailureLogged);
            return receipt;
        }
    }

    private ValueTask<LedgerReceipt> DefineWalletCoreAsync(WalletDefinition definition, string idempotencyKey, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ArgumentNullException.ThrowIfNull(definition);
        BudgetRequests.IdempotencyKey(idempotencyKey);
        if (definition.Id.IsEmpty)
        {
            throw new ArgumentException("The wallet definition has no id.", nameof(definition));
        }

        if (!Enum.IsDefined(definition.Limit.Period))
        {
            throw BudgetRequests.UnknownPeriod(definition.Limit.Period, nameof(definition));
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

    /// <summary>Expires every pending reservation past its expiry; returns how many. The timer calls it periodically.</summary>
    internal int Sweep()
    {
        int expired;
        long evicted;
        lock (_lock)
        {
            if (_fault is not null || Volatile.Read(ref _disposed) != 0)
            {
                return 0;
            }

            var now = _time.GetUtcNow().UtcTicks;
            _state.Prune(now - _retentionTicks);
            expired = ExpireDue(now);
            evicted = _state.CallsEvictedEarly - _evictionsReported;
            _evictionsReported = _state.CallsEvictedEarly;
        }

        if (expired > 0)
        {
            BudgetLog.Expired(_logger, expired);
        }

        // Once per sweep interval, however many were evicted: a full cache would otherwise log on every call.
        if (evicted > 0)
        {
            BudgetLog.CallsEvicted(_logger, evicted, _maxRememberedCalls);
            _metrics.RecordEvicted(evicted);
        }

        PublishEvents();
        return expired;
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

            // Spend never goes below zero: giving back more than was spent would mint allowance.
            var givesBack = kind == JournalEntryKind.Refund ? amount.Amount : kind == JournalEntryKind.Adjust && amount.Amount < 0m ? -amount.Amount : 0m;
            if (givesBack > w.Spent)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(amount),
                    amount.Amount,
                    $"Wallet '{w.Id}' has spent {w.ToMoney(w.Spent)} this period, so it cannot be given back {w.ToMoney(givesBack)}: spend would go below zero. "
                    + "Give back at most what was spent, or use TopUpAsync to add allowance.");
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
}
