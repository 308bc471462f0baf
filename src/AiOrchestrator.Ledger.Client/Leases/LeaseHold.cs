namespace AiOrchestrator.Ledger.Client.Leases;

/// <summary>
/// One lease of the ledger as this process spends it: what the ledger granted, what was spent from it here (settled,
/// uploaded or not) and what pending reservations hold. Guarded by its path's lock.
/// </summary>
internal sealed class LeaseHold(string id, decimal granted, DateTimeOffset expiresAt)
{
    public string Id { get; } = id;

    /// <summary>The amount granted so far (initial plus growth).</summary>
    public decimal Granted { get; set; } = granted;

    /// <summary>Settled here against this lease.</summary>
    public decimal Spent { get; set; }

    /// <summary>Held by pending reservations.</summary>
    public decimal Held { get; set; }

    /// <summary>Reservations still pending on it.</summary>
    public int Holds { get; set; }

    /// <summary>When the ledger expires it unless renewed.</summary>
    public DateTimeOffset ExpiresAt { get; set; } = expiresAt;

    /// <summary>True once it was returned, or the ledger said it is no longer active.</summary>
    public bool Closed { get; set; }

    /// <summary>What new reservations may still take from it.</summary>
    public decimal Remaining => Granted - Spent - Held;

    /// <summary>True while new reservations may spend from it: open and not within <paramref name="margin"/> of its expiry.</summary>
    public bool IsUsable(DateTimeOffset now, TimeSpan margin) => !Closed && now < ExpiresAt - margin;
}
