namespace AiOrchestrator.Budgets;

/// <summary>The outcome of a ledger mutation other than reserve and settle.</summary>
public sealed class LedgerReceipt
{
    internal LedgerReceipt(WalletTransactionKind kind, long sequence, WalletId wallet, Money amount, long reservationId, WalletDefinition? definition)
    {
        Kind = kind;
        Sequence = sequence;
        Wallet = wallet;
        Amount = amount;
        ReservationId = reservationId;
        Definition = definition;
    }

    /// <summary>What was done.</summary>
    public WalletTransactionKind Kind { get; }

    /// <summary>The journal sequence number of the mutation.</summary>
    public long Sequence { get; }

    /// <summary>The wallet changed (empty for a release, which names a reservation).</summary>
    public WalletId Wallet { get; }

    /// <summary>The amount of the mutation (the released amount for a release).</summary>
    public Money Amount { get; }

    /// <summary>The reservation released, or 0.</summary>
    public long ReservationId { get; }

    /// <summary>Completes when the mutation is on disk.</summary>
    public Task Durable { get; internal set; } = Task.CompletedTask;

    internal WalletDefinition? Definition { get; }
}
