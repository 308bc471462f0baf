namespace AiOrchestrator.Ledger;

/// <summary>Holds an amount on every listed wallet, all or nothing (two-phase: commit or release follows).</summary>
/// <param name="Wallets">Wallet ids, most specific first; each must be in the organisation and different.</param>
/// <param name="Amount">A positive decimal string: the worst-case cost.</param>
/// <param name="Currency">The wallets' currency.</param>
/// <param name="TtlSeconds">How long the hold lasts before it expires and is released (1 to 86,400; default 300).</param>
/// <param name="Reference">The caller's reference (a call id), for the history.</param>
public sealed record ReservationRequest(IReadOnlyList<string> Wallets, string Amount, string Currency, int? TtlSeconds, string? Reference);

/// <summary>A reservation.</summary>
/// <param name="Id">Its id.</param>
/// <param name="Wallets">The wallets it holds on.</param>
/// <param name="Amount">The amount held.</param>
/// <param name="Currency">ISO 4217 code.</param>
/// <param name="Status"><c>pending</c>, <c>committed</c>, <c>released</c> or <c>expired</c>.</param>
/// <param name="Committed">The amount posted by commit, or null.</param>
/// <param name="CreatedAt">When it was made.</param>
/// <param name="ExpiresAt">When a pending reservation expires.</param>
/// <param name="Reference">The caller's reference.</param>
public sealed record ReservationResponse(
    string Id,
    IReadOnlyList<string> Wallets,
    string Amount,
    string Currency,
    string Status,
    string? Committed,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    string? Reference);

/// <summary>Posts the actual cost of a pending reservation; it may not exceed the reserved amount.</summary>
/// <param name="Amount">A non-negative decimal string, at most the reserved amount.</param>
public sealed record CommitRequest(string Amount);
