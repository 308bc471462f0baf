namespace AiOrchestrator.Budgets;

/// <summary>
/// A pending hold of <see cref="Amount"/> on every wallet of a scope path, made by
/// <see cref="IBudgetLedger.ReserveAsync"/>. Settle it with the actual cost, or release it.
/// </summary>
public sealed class Reservation
{
    private volatile ReservationStatus _status;

    internal Reservation(long id, WalletId[] wallets, Money amount, DateTimeOffset createdAt, DateTimeOffset expiresAt, string? idempotencyKey)
    {
        Id = id;
        WalletArray = wallets;
        Amount = amount;
        CreatedAt = createdAt;
        ExpiresAt = expiresAt;
        IdempotencyKey = idempotencyKey;
    }

    /// <summary>The ledger's id of this reservation.</summary>
    public long Id { get; }

    /// <summary>The wallets held, as given (most specific first).</summary>
    public IReadOnlyList<WalletId> Wallets => WalletArray;

    /// <summary>The amount held on each wallet.</summary>
    public Money Amount { get; }

    /// <summary>When it was made.</summary>
    public DateTimeOffset CreatedAt { get; }

    /// <summary>When it expires if still pending.</summary>
    public DateTimeOffset ExpiresAt { get; }

    /// <summary>The idempotency key it was made with.</summary>
    public string? IdempotencyKey { get; }

    /// <summary>Its current status (this changes as the reservation is resolved).</summary>
    public ReservationStatus Status
    {
        get => _status;
        internal set => _status = value;
    }

    /// <summary>
    /// Completes when the reservation is on disk. Awaiting it is optional: a ledger without a store path
    /// completes it at once.
    /// </summary>
    public Task Durable { get; internal set; } = Task.CompletedTask;

    internal WalletId[] WalletArray { get; }

    /// <summary>The call attempt of a hot-path reservation; empty for one made with a string key.</summary>
    internal CallKey Call { get; init; }

    internal bool SameRequest(IReadOnlyList<WalletId> wallets, Money amount)
        => amount == Amount && BudgetRequests.SameWallets(WalletArray, wallets);
}
