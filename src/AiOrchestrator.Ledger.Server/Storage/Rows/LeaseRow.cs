namespace AiOrchestrator.Ledger.Server.Storage.Rows;

/// <summary>
/// A slice of every listed wallet held for one process. Each wallet's <see cref="WalletRow.Leased"/> holds
/// <c>Amount − Used</c> (never below zero) while the lease is open.
/// </summary>
internal sealed record LeaseRow(
    string Organisation,
    string Id,
    IReadOnlyList<string> Wallets,
    decimal Amount,
    decimal Used,
    string Currency,
    string Holder,
    HoldState Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt);
