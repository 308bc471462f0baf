namespace AiOrchestrator.Budgets;

/// <summary>
/// One record of the budget journal: a mutation exactly as it was applied. Replaying the records in order rebuilds
/// the ledger's state, so every mutation goes through <see cref="LedgerState.Apply"/> whether live or replayed.
/// </summary>
internal struct JournalEntry
{
    public JournalEntryKind Kind;

    /// <summary>Ascending across the ledger.</summary>
    public long Sequence;

    /// <summary>UTC ticks of when the mutation was applied.</summary>
    public long Ticks;

    /// <summary>Reserve, Settle, Release, Expire: the reservation.</summary>
    public long ReservationId;

    /// <summary>Reserve: expiry (UTC ticks). Rollover: the new period's start (UTC ticks).</summary>
    public long Extra;

    /// <summary>The amount (reserved, actual, topped up, refunded, adjusted, new limit).</summary>
    public decimal Amount;

    /// <summary>The currency of <see cref="Amount"/>.</summary>
    public string? Currency;

    /// <summary>The idempotency key, or null for entries the ledger made itself.</summary>
    public string? Key;

    /// <summary>The wallet of single-wallet entries.</summary>
    public WalletId Wallet;

    /// <summary>Reserve and Reject: the wallets of the scope path.</summary>
    public WalletId[]? Wallets;

    /// <summary>Hot-path entries: the call attempt (empty for the string-keyed API and the ledger's own entries).</summary>
    public CallKey Call;

    /// <summary>LateSettle: the amount the reservation held before it expired (for the overrun).</summary>
    public decimal Held;

    /// <summary>Define: the <see cref="WalletDefinition"/>. Reject: the <see cref="Rejection"/>.</summary>
    public object? Payload;
}
