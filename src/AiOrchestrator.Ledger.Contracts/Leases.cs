namespace AiOrchestrator.Ledger;

/// <summary>
/// Takes a lease: a slice of every listed wallet, held for one process that spends it locally and reports the
/// spend as usage records. Unspent lease amounts come back on return or expiry.
/// </summary>
/// <param name="Wallets">Wallet ids, most specific first; each must be in the organisation and different.</param>
/// <param name="Amount">A positive decimal string.</param>
/// <param name="Currency">The wallets' currency.</param>
/// <param name="TtlSeconds">Seconds until the lease expires unless renewed (1 to 86,400).</param>
/// <param name="Holder">Who holds it (a process or instance name), for the history.</param>
public sealed record LeaseRequest(IReadOnlyList<string> Wallets, string Amount, string Currency, int TtlSeconds, string Holder);

/// <summary>Extends a lease and optionally grows it (the growth is held on every wallet, all or nothing).</summary>
/// <param name="TtlSeconds">Seconds from now until the lease expires (1 to 86,400).</param>
/// <param name="AddAmount">A non-negative decimal string to add to the lease, or null.</param>
public sealed record LeaseRenewRequest(int TtlSeconds, string? AddAmount);

/// <summary>A lease.</summary>
/// <param name="Id">Its id.</param>
/// <param name="Wallets">The wallets it holds on.</param>
/// <param name="Amount">The amount granted so far (initial plus growth).</param>
/// <param name="Used">Usage reported against it.</param>
/// <param name="Remaining">Amount − used, never below zero.</param>
/// <param name="Currency">ISO 4217 code.</param>
/// <param name="Holder">Who holds it.</param>
/// <param name="Status"><c>active</c>, <c>returned</c> or <c>expired</c>.</param>
/// <param name="CreatedAt">When it was taken.</param>
/// <param name="ExpiresAt">When it expires unless renewed.</param>
public sealed record LeaseResponse(
    string Id,
    IReadOnlyList<string> Wallets,
    string Amount,
    string Used,
    string Remaining,
    string Currency,
    string Holder,
    string Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt);
