using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using AiOrchestrator.Budgets;
using AiOrchestrator.Ledger.Client.Http;
using AiOrchestrator.Ledger.Client.Outbox;
using AiOrchestrator.Pipeline;
using Microsoft.Extensions.Logging;

namespace AiOrchestrator.Ledger.Client.Leases;

/// <summary>
/// The budget stage's ledger when budgets live in the ledger service: reserve, settle and release run entirely in
/// this process against leases taken from the ledger (no network while a lease covers the call); settled spend goes
/// to the durable outbox as usage records that name their lease. Leases are taken, grown, renewed and returned in
/// the background (<see cref="SyncAsync"/>); a call the leases cannot cover waits for a lease once, and when the
/// ledger cannot be reached gets the configured fallback.
/// </summary>
/// <remarks>
/// Worst-case spend the ledger has not granted: what outstanding leases hold (a lease that expires while the ledger
/// is unreachable is not spent from again, but its pending reservations still settle) plus the fallback allowance,
/// plus overruns providers report beyond a reservation (posted, never lost).
/// </remarks>
internal sealed partial class LeasedBudgetLedger : IBudgetReservations, IAttemptSettlement, IDisposable
{
    private readonly LedgerClientOptions _options;
    private readonly LedgerHttpClient _http;
    private readonly UsageOutbox _outbox;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly LedgerClientMetrics _metrics;
    private readonly string _holder;
    private readonly string _orgName;
    private readonly ConcurrentDictionary<IReadOnlyList<WalletId>, WalletPath> _paths = new(WalletPathComparer.Instance);
    private readonly ConcurrentDictionary<CallKey, HeldCall> _calls = new();
    private readonly ConditionalWeakTable<Reservation, Settlement> _settled = new();
    private readonly ConditionalWeakTable<AiScope, ScopePath> _scopePaths = new();
    private readonly Lock _fallbackLock = new();
    private long _reservationIds;
    private long _settlements;
    private decimal _fallbackSpent;
    private decimal _fallbackHeld;
    private int _fallbackSettling;
    private decimal _uncovered;

    public LeasedBudgetLedger(LedgerClientOptions options, LedgerHttpClient http, UsageOutbox outbox, TimeProvider time, ILogger logger, LedgerClientMetrics metrics)
    {
        _options = options;
        _http = http;
        _outbox = outbox;
        _time = time;
        _logger = logger;
        _metrics = metrics;
        _holder = options.Holder ?? $"{Environment.MachineName}/{Environment.ProcessId}";
        _orgName = WalletId.ForOrganization(options.Organisation!).Value["org:".Length..];
        metrics.ObserveOutbox(() => _outbox.Depth);
    }

    /// <summary>What leases and the fallback can still give without asking the ledger (for tests and diagnostics).</summary>
    internal decimal OutstandingLeases
    {
        get
        {
            var total = 0m;
            var now = _time.GetUtcNow();
            foreach (var path in _paths.Values)
            {
                lock (path.Lock)
                {
                    if (path.Lease is { } lease && lease.IsUsable(now, _options.ExpiryMargin))
                    {
                        total += Math.Max(0m, lease.Remaining);
                    }
                }
            }

            return total;
        }
    }

    /// <summary>Spent from the fallback allowance and not yet received by the ledger.</summary>
    internal decimal FallbackSpent
    {
        get
        {
            lock (_fallbackLock)
            {
                return _fallbackSpent;
            }
        }
    }

    /// <summary>Spend no open lease covered: overruns beyond a lease, settles after a lease ended, fallback spend.</summary>
    internal decimal UncoveredSpend
    {
        get
        {
            lock (_fallbackLock)
            {
                return _uncovered;
            }
        }
    }

    internal UsageOutbox Outbox => _outbox;

    public void Dispose()
    {
        _uploading.Dispose();
        foreach (var path in _paths.Values)
        {
            path.Gate.Dispose();
        }
    }

    /// <inheritdoc/>
    public IReadOnlyList<WalletId> GetWalletPath(AiScope scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var known = _wallets;
        var version = Volatile.Read(ref _walletSetVersion);
        if (_scopePaths.TryGetValue(scope, out var cached) && cached.Version == version)
        {
            return cached.Path;
        }

        var path = WalletId.PathOf(scope);
        List<WalletId>? existing = null;
        foreach (var id in path)
        {
            // Until the ledger has listed its wallets, every wallet of the organisation on the path is taken to exist:
            // the call then needs a lease (or the fallback) rather than going unbudgeted.
            if (known.Loaded ? known.ById.ContainsKey(id) : InOrganisation(id))
            {
                (existing ??= new List<WalletId>(path.Count)).Add(id);
            }
        }

        IReadOnlyList<WalletId> result = existing is null ? [] : existing.ToArray();
        _scopePaths.AddOrUpdate(scope, new ScopePath(result, version));
        return result;
    }

    /// <inheritdoc/>
    public Money GetAvailable(IReadOnlyList<WalletId> wallets, string currency)
    {
        ArgumentNullException.ThrowIfNull(wallets);
        ArgumentNullException.ThrowIfNull(currency);
        var known = _wallets;
        var ledgerAvailable = decimal.MaxValue;
        for (var i = 0; i < wallets.Count; i++)
        {
            if (known.ById.TryGetValue(wallets[i], out var wallet))
            {
                if (!string.Equals(wallet.Currency, currency, StringComparison.Ordinal))
                {
                    throw new CurrencyMismatchException(wallet.Currency, currency);
                }

                ledgerAvailable = Math.Min(ledgerAvailable, wallet.AvailableAmount);
            }
        }

        var path = PathFor(wallets);
        var now = _time.GetUtcNow();
        var available = 0m;
        lock (path.Lock)
        {
            if (path.Lease is { } lease && lease.IsUsable(now, _options.ExpiryMargin))
            {
                available = Math.Max(0m, lease.Remaining);
            }

            if (now < path.RefusedUntil)
            {
                ledgerAvailable = 0m;
            }
        }

        if (IsReachable(now))
        {
            // What a lease could still get, as of the last wallet list (zero once the ledger refused this path).
            available += ledgerAvailable == decimal.MaxValue ? (known.Loaded ? 0m : _options.MaxLeaseAmount) : ledgerAvailable;
        }
        else if (_options.Fallback == LedgerFallback.Allowance && string.Equals(currency, _options.FallbackCurrency, StringComparison.Ordinal))
        {
            lock (_fallbackLock)
            {
                available += Math.Max(0m, _options.FallbackAllowance - _fallbackSpent - _fallbackHeld);
            }
        }

        return new Money(available, currency);
    }

    /// <inheritdoc/>
    public ValueTask<Reservation> ReserveAsync(AiCallId callId, int attempt, IReadOnlyList<WalletId> wallets, Money amount, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ArgumentNullException.ThrowIfNull(wallets);
        if (callId.Value == Guid.Empty)
        {
            throw new ArgumentException("The call id is empty; create one with AiCallId.New.", nameof(callId));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(attempt);
        if (amount.Amount <= 0m)
        {
            throw new ArgumentOutOfRangeException(nameof(amount), amount.Amount, $"The amount must be greater than zero; got {amount}.");
        }

        if (wallets.Count == 0)
        {
            throw new ArgumentException("Name at least one wallet to reserve on.", nameof(wallets));
        }

        var key = new CallKey(callId.Value, attempt);
        if (_calls.TryGetValue(key, out var existing))
        {
            return new ValueTask<Reservation>(Repeat(key, existing, wallets, amount));
        }

        if (_outbox.Depth >= _options.OutboxCapacity)
        {
            throw OutboxFull(wallets, amount);
        }

        var path = PathFor(wallets);
        var now = _time.GetUtcNow();
        return TryHold(path, key, amount, now, out var reservation)
            ? new ValueTask<Reservation>(reservation)
            : ReserveSlowAsync(path, key, amount, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<Settlement> SettleAsync(AiCallId callId, int attempt, Reservation reservation, Money actual, CancellationToken cancellationToken = default)
        => new(Settle(new CallKey(callId.Value, attempt), reservation, actual, null));

    /// <inheritdoc/>
    ValueTask<Settlement> IAttemptSettlement.SettleAsync(AiCallAttempt attempt, Reservation reservation, Money actual, CancellationToken cancellationToken)
        => new(Settle(new CallKey(attempt.Call.Id.Value, attempt.Number), reservation, actual, attempt));

    /// <inheritdoc/>
    public ValueTask ReleaseAsync(AiCallId callId, int attempt, Reservation reservation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reservation);
        var key = new CallKey(callId.Value, attempt);
        if (!_calls.TryGetValue(key, out var held) || held.Reservation.Id != reservation.Id)
        {
            return reservation.Status switch
            {
                ReservationStatus.Settled => throw new ReservationAlreadyResolvedException(reservation.Id, ReservationStatus.Settled),
                ReservationStatus.Released or ReservationStatus.Expired => ValueTask.CompletedTask,
                _ => throw new ReservationNotFoundException(reservation.Id),
            };
        }

        lock (held.Path.Lock)
        {
            if (!held.Expired && reservation.Status == ReservationStatus.Pending)
            {
                Unhold(held);
            }

            reservation.Status = held.Expired ? ReservationStatus.Expired : ReservationStatus.Released;
        }

        _calls.TryRemove(key, out _);
        return ValueTask.CompletedTask;
    }

    /// <summary>The path object of <paramref name="wallets"/>, created on first use.</summary>
    internal WalletPath PathFor(IReadOnlyList<WalletId> wallets)
    {
        if (_paths.TryGetValue(wallets, out var path))
        {
            return path;
        }

        var copy = new WalletId[wallets.Count];
        for (var i = 0; i < copy.Length; i++)
        {
            copy[i] = wallets[i];
        }

        path = _paths.GetOrAdd(copy, static (_, w) => new WalletPath(w), copy);
        return path;
    }

    private bool InOrganisation(WalletId id)
    {
        var text = id.Value;
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var rest = text.AsSpan(colon + 1);
        return rest.StartsWith(_orgName, StringComparison.Ordinal) && (rest.Length == _orgName.Length || rest[_orgName.Length] == '/');
    }

    /// <summary>Holds <paramref name="amount"/> on the path's lease when it can cover it; no network.</summary>
    private bool TryHold(WalletPath path, CallKey key, Money amount, DateTimeOffset now, out Reservation reservation)
    {
        HeldCall held;
        lock (path.Lock)
        {
            path.LastUsed = now;
            if (path.Lease is not { } lease || !lease.IsUsable(now, _options.ExpiryMargin) || lease.Remaining < amount.Amount)
            {
                reservation = null!;
                return false;
            }

            lease.Held += amount.Amount;
            lease.Holds++;
            path.Holds++;
            held = new HeldCall(NewReservation(key, path, amount, now), path, lease);
        }

        reservation = Register(key, held);
        return true;
    }

    private Reservation NewReservation(CallKey key, WalletPath path, Money amount, DateTimeOffset now)
        => new(Interlocked.Increment(ref _reservationIds), path.Wallets, amount, now, now + _options.ReservationTimeout, null)
        {
            Call = key,
            Status = ReservationStatus.Pending,
        };

    /// <summary>Records a new hold under its call; a concurrent reserve of the same call attempt that got there first wins.</summary>
    private Reservation Register(CallKey key, HeldCall held)
    {
        if (_calls.TryAdd(key, held))
        {
            return held.Reservation;
        }

        lock (held.Path.Lock)
        {
            Unhold(held);
        }

        held.Reservation.Status = ReservationStatus.Released;
        return Repeat(key, _calls[key], held.Reservation.Wallets, held.Reservation.Amount);
    }

    private static Reservation Repeat(CallKey key, HeldCall existing, IReadOnlyList<WalletId> wallets, Money amount)
    {
        var first = existing.Reservation;
        if (first.Amount != amount || !WalletPathComparer.Instance.Equals(first.Wallets, wallets))
        {
            throw new IdempotencyConflictException(key.Describe("reserve"), $"reserve {first.Amount} as reservation {first.Id}");
        }

        return first;
    }

    /// <summary>
    /// Gives a pending hold back to its lease or the fallback allowance; for a fallback hold being settled, moves it
    /// to fallback spend in the same step (<paramref name="settled"/>). Under the path's lock.
    /// </summary>
    private void Unhold(HeldCall held, decimal? settled = null)
    {
        var amount = held.Reservation.Amount.Amount;
        held.Path.Holds--;
        if (held.Lease is { } lease)
        {
            lease.Held -= amount;
            lease.Holds--;
        }
        else
        {
            lock (_fallbackLock)
            {
                _fallbackHeld -= amount;
                if (settled is { } spent)
                {
                    _fallbackSpent += spent;
                    _fallbackSettling++;
                }
            }
        }
    }

    private Settlement Settle(CallKey key, Reservation reservation, Money actual, AiCallAttempt? attempt)
    {
        ArgumentNullException.ThrowIfNull(reservation);
        if (actual.Amount < 0m)
        {
            throw new ArgumentOutOfRangeException(nameof(actual), actual.Amount, $"The actual cost cannot be negative; got {actual}.");
        }

        if (!_calls.TryGetValue(key, out var held) || held.Reservation.Id != reservation.Id)
        {
            if (_settled.TryGetValue(reservation, out var first))
            {
                return first.Posted == actual
                    ? first
                    : throw new IdempotencyConflictException(key.Describe("settle"), $"settle reservation {reservation.Id} at {first.Posted}");
            }

            throw reservation.Status == ReservationStatus.Pending
                ? new ReservationNotFoundException(reservation.Id)
                : new ReservationAlreadyResolvedException(reservation.Id, reservation.Status);
        }

        var reserved = reservation.Amount.Amount;
        var now = _time.GetUtcNow();
        var path = held.Path;
        bool late;
        var uncovered = 0m;
        lock (path.Lock)
        {
            if (reservation.Status != ReservationStatus.Pending && !held.Expired)
            {
                throw new ReservationAlreadyResolvedException(reservation.Id, reservation.Status);
            }

            late = held.Expired;
            if (!late)
            {
                Unhold(held, actual.Amount);
            }
            else if (held.IsFallback)
            {
                lock (_fallbackLock)
                {
                    _fallbackSpent += actual.Amount;
                    _fallbackSettling++;
                }
            }

            path.SpentSinceSample += actual.Amount;
            if (held.Lease is { } lease)
            {
                var overBefore = Math.Max(0m, lease.Spent - lease.Granted);
                lease.Spent += actual.Amount;
                uncovered = Math.Max(0m, lease.Spent - lease.Granted) - overBefore;
                if (lease.Closed || now >= lease.ExpiresAt)
                {
                    // The ledger has ended this lease: the spend is posted directly.
                    uncovered = actual.Amount;
                }
            }

            reservation.Status = ReservationStatus.Settled;
        }

        var durable = _outbox.Append(new OutboxRecord
        {
            RecordId = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{key.CallId:N}-{key.Attempt}"),
            Wallets = path.WalletIds,
            Amount = actual.Amount,
            Currency = actual.Currency,
            At = now.UtcDateTime,
            Lease = held.Lease?.Id,
            Fallback = held.IsFallback,
            Scope = attempt?.Call.Scope.ToString(),
            Provider = attempt?.Provider,
            Model = attempt?.ServedModel ?? attempt?.Model,
            InputTokens = attempt?.Usage.InputTokens ?? 0,
            OutputTokens = attempt?.Usage.OutputTokens ?? 0,
        });

        if (held.IsFallback)
        {
            // Only now is the record in the outbox: until then the allowance must not be made whole (see ResetFallbackWhenReceived).
            lock (_fallbackLock)
            {
                _fallbackSettling--;
            }

            uncovered = actual.Amount;
            _metrics.RecordFallbackSpend(actual);
            LogFallbackSpend(_logger, actual, path.Text);
        }

        if (uncovered > 0m)
        {
            lock (_fallbackLock)
            {
                _uncovered += uncovered;
            }

            _metrics.RecordUncovered(new Money(uncovered, actual.Currency));
        }

        var overrun = Math.Max(0m, actual.Amount - reserved);
        var released = late ? 0m : Math.Max(0m, reserved - actual.Amount);
        var settlement = new Settlement(reservation.Id, Interlocked.Increment(ref _settlements), actual, new Money(released, actual.Currency), new Money(overrun, actual.Currency), late)
        {
            Durable = durable,
        };
        _settled.AddOrUpdate(reservation, settlement);
        _calls.TryRemove(key, out _);
        return settlement;
    }

    /// <summary>The wallet path a scope resolved to, and the version of the wallet list it was resolved against.</summary>
    private sealed record ScopePath(IReadOnlyList<WalletId> Path, int Version);
}
