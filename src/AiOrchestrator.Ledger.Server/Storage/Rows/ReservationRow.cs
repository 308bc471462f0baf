namespace AiOrchestrator.Ledger.Server.Storage.Rows;

/// <summary>A two-phase hold of <see cref="Amount"/> on every wallet listed.</summary>
internal sealed record ReservationRow(
    string Organisation,
    string Id,
    IReadOnlyList<string> Wallets,
    decimal Amount,
    string Currency,
    HoldState Status,
    decimal? Committed,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    string? Reference);
