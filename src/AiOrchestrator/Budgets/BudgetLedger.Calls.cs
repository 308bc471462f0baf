namespace AiOrchestrator.Budgets;

#pragma warning disable RS0026 // Two overloads with a default token implement two interfaces; their leading parameters differ in type.

// The hot path (IBudgetReservations): reserve, settle and release keyed by call id and attempt. What the ledger
// remembers of a call is one compact CallRecord; resolved reservations are not kept as objects.
public sealed partial class BudgetLedger
{
    /// <inheritdoc/>
    public Money GetAvailable(IReadOnlyList<WalletId> wallets, string currency)
    {
        ArgumentNullException.ThrowIfNull(wallets);
        ArgumentNullException.ThrowIfNull(currency);
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
    public ValueTask<Reservation> ReserveAsync(AiCallId callId, int attempt, IReadOnlyList<WalletId> wallets, Money amount, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ArgumentNullException.ThrowIfNull(wallets);
        BudgetRequests.CallAttempt(callId, attempt);
        BudgetRequests.PositiveAmount(amount, nameof(amount));
        if (wallets.Count == 0)
        {
            throw new ArgumentException("Name at least one wallet to reserve on.", nameof(wallets));
        }

        var call = new CallKey(callId.Value, attempt);
        Reservation? reservation;
        Rejection? rejection;
        lock (_lock)
        {
            var now = Now();
            if (_state.TryGetCall(call, out var record))
            {
                return new ValueTask<Reservation>(RepeatReserve(call, record, wallets, amount));
            }

            reservation = ReserveLocked(wallets, amount, key: null, call, now, out rejection);
        }

        PublishEvents();
        if (rejection is not null)
        {
            _metrics.RecordRejection(rejection.Wallet);
            throw rejection.ToException();
        }

        return new ValueTask<Reservation>(reservation!);
    }

    /// <inheritdoc/>
    public ValueTask<Settlement> SettleAsync(AiCallId callId, int attempt, Reservation reservation, Money actual, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ArgumentNullException.ThrowIfNull(reservation);
        BudgetRequests.CallAttempt(callId, attempt);
        if (actual.Amount < 0m)
        {
            throw new ArgumentOutOfRangeException(nameof(actual), actual.Amount, $"The actual cost cannot be negative; got {actual}. Use RefundAsync to give spend back.");
        }

        var call = new CallKey(callId.Value, attempt);
        Settlement? settlement;
        Exception? resolved;
        lock (_lock)
        {
            var now = Now();
            if (_state.TryGetCall(call, out var record))
            {
                CheckSameReservation(call, record, reservation, "settle");
                switch (record.State)
                {
                    case CallState.Settled or CallState.LateSettled when record.Actual == actual.Amount:
                        return new ValueTask<Settlement>(RebuildSettlement(record, reservation.Amount.Currency));
                    case CallState.Settled or CallState.LateSettled:
                        throw new IdempotencyConflictException(call.Describe("settle"), $"settle reservation {reservation.Id} at {new Money(record.Actual, reservation.Amount.Currency)}");
                    case CallState.Released:
                        throw new ReservationAlreadyResolvedException(reservation.Id, ReservationStatus.Released);
                }
            }

            settlement = SettleLocked(Live(reservation), actual, key: null, call, now, out resolved);
        }

        PublishEvents();
        return resolved is not null ? throw resolved : new ValueTask<Settlement>(settlement!);
    }

    /// <inheritdoc/>
    public ValueTask ReleaseAsync(AiCallId callId, int attempt, Reservation reservation, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ArgumentNullException.ThrowIfNull(reservation);
        BudgetRequests.CallAttempt(callId, attempt);
        var call = new CallKey(callId.Value, attempt);
        lock (_lock)
        {
            var now = Now();
            if (_state.TryGetCall(call, out var record))
            {
                CheckSameReservation(call, record, reservation, "release");
                switch (record.State)
                {
                    case CallState.Released or CallState.Expired:
                        return ValueTask.CompletedTask;
                    case CallState.Settled or CallState.LateSettled:
                        throw new ReservationAlreadyResolvedException(reservation.Id, ReservationStatus.Settled);
                }
            }

            var live = Live(reservation);
            if (live.Status == ReservationStatus.Pending && now >= live.ExpiresAt.UtcTicks)
            {
                Expire(live, now);
            }

            switch (live.Status)
            {
                case ReservationStatus.Pending:
                    var entry = new JournalEntry { Kind = JournalEntryKind.Release, ReservationId = live.Id, Call = call };
                    Append(ref entry, now);
                    break;
                case ReservationStatus.Settled:
                    throw new ReservationAlreadyResolvedException(live.Id, ReservationStatus.Settled);
            }
        }

        PublishEvents();
        return ValueTask.CompletedTask;
    }

    /// <summary>The ledger's own object for a reservation still in its state, else the caller's (already resolved) one.</summary>
    private Reservation Live(Reservation reservation)
        => _state.TryGetReservation(reservation.Id, out var live) ? live : reservation;

    private static void CheckSameReservation(CallKey call, in CallRecord record, Reservation reservation, string operation)
    {
        if (record.ReservationId != reservation.Id)
        {
            throw new IdempotencyConflictException(call.Describe(operation),
                record.State == CallState.Refused ? "a refused reserve" : $"reservation {record.ReservationId}");
        }
    }

    /// <summary>A retried reserve: the first outcome when the request is the same, a conflict otherwise.</summary>
    private Reservation RepeatReserve(CallKey call, in CallRecord record, IReadOnlyList<WalletId> wallets, Money amount)
    {
        var same = record.Amount == amount.Amount
            && record.WalletsHash == CallRecord.HashWallets(wallets)
            && _state.TryGetWallet(wallets[0], out var first) && string.Equals(first.Currency, amount.Currency, StringComparison.Ordinal);
        if (record.State == CallState.Refused)
        {
            var rejection = _state.CallRejection(call);
            if (same && rejection is not null)
            {
                throw rejection.ToException();
            }

            throw new IdempotencyConflictException(call.Describe("reserve"), $"refused reserve of {rejection?.Requested.ToString() ?? record.Amount.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
        }

        if (!same)
        {
            throw new IdempotencyConflictException(call.Describe("reserve"), $"reserve {record.Amount.ToString(System.Globalization.CultureInfo.InvariantCulture)} as reservation {record.ReservationId}");
        }

        if (_state.TryGetReservation(record.ReservationId, out var live))
        {
            return live;
        }

        // Resolved: the object is gone, the record has what the first outcome said.
        var ids = new WalletId[wallets.Count];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = wallets[i];
        }

        return new Reservation(record.ReservationId, ids, amount, new DateTimeOffset(record.Ticks, TimeSpan.Zero), new DateTimeOffset(record.Ticks + _timeoutTicks, TimeSpan.Zero), null)
        {
            Call = call,
            Status = record.State switch
            {
                CallState.Released => ReservationStatus.Released,
                CallState.Expired => ReservationStatus.Expired,
                CallState.Reserved => ReservationStatus.Pending,
                _ => ReservationStatus.Settled,
            },
        };
    }

    private static Settlement RebuildSettlement(in CallRecord record, string currency)
    {
        var late = record.State == CallState.LateSettled;
        var overrun = record.Actual > record.Amount ? record.Actual - record.Amount : 0m;
        var released = !late && record.Actual < record.Amount ? record.Amount - record.Actual : 0m;
        return new Settlement(record.ReservationId, record.Sequence, new Money(record.Actual, currency), new Money(released, currency), new Money(overrun, currency), late);
    }
}
