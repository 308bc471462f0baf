namespace AiOrchestrator.Budgets;

/// <summary>
/// One entry of a wallet's history. The balance (limit + top-ups − spent) is the sum of
/// <see cref="BalanceChange"/> over the history, and the reserved amount is the sum of <see cref="ReservedChange"/>.
/// </summary>
public sealed record WalletTransaction
{
    /// <summary>The journal sequence number (ascending, unique across the ledger).</summary>
    public required long Sequence { get; init; }

    /// <summary>When it happened.</summary>
    public required DateTimeOffset Time { get; init; }

    /// <summary>The wallet.</summary>
    public required WalletId Wallet { get; init; }

    /// <summary>What happened.</summary>
    public required WalletTransactionKind Kind { get; init; }

    /// <summary>The amount of the operation (reserved, posted, topped up, refunded, adjusted, or the new limit).</summary>
    public required Money Amount { get; init; }

    /// <summary>The signed change of the balance (limit + top-ups − spent).</summary>
    public required decimal BalanceChange { get; init; }

    /// <summary>The signed change of the reserved (pending) amount.</summary>
    public required decimal ReservedChange { get; init; }

    /// <summary>For a settle: how much the actual cost exceeded the reservation.</summary>
    public decimal Overrun { get; init; }

    /// <summary>The reservation concerned, or 0.</summary>
    public long ReservationId { get; init; }

    /// <summary>The idempotency key of the request, or null for entries the ledger made itself (expiry, rollover, recovery).</summary>
    public string? IdempotencyKey { get; init; }
}
