namespace AiOrchestrator.Budgets;

/// <summary>What a <see cref="WalletTransaction"/> records.</summary>
public enum WalletTransactionKind
{
    /// <summary>The wallet was created; the balance starts at the limit.</summary>
    Opened,

    /// <summary>The limit was changed.</summary>
    LimitChanged,

    /// <summary>An amount was held for a call.</summary>
    Reserve,

    /// <summary>A reservation was settled: the actual cost posted, the rest released.</summary>
    Settle,

    /// <summary>A reservation was voided.</summary>
    Release,

    /// <summary>A reservation expired.</summary>
    Expire,

    /// <summary>Extra allowance for the current period (permanent credit on a total wallet); the part still held by pending reservations at a rollover carries over.</summary>
    TopUp,

    /// <summary>Spend given back (for example a provider refund).</summary>
    Refund,

    /// <summary>A signed correction of the spend.</summary>
    Adjustment,

    /// <summary>A new period began: spend and top-ups reset.</summary>
    Rollover,

    /// <summary>
    /// A reservation that had already expired (its hold released) was settled late: the actual cost is posted in full.
    /// </summary>
    LateSettle,

    /// <summary>
    /// The balance at the start of the retained history: history older than the journal retention is summarized by
    /// this one transaction, so the history still sums to the wallet's balance.
    /// </summary>
    OpeningBalance,
}
