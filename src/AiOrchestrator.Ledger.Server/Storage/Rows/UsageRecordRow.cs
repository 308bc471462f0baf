namespace AiOrchestrator.Ledger.Server.Storage.Rows;

/// <summary>
/// A usage record as applied. <see cref="Lease"/> is the lease it was spent from, or null when it was posted
/// directly (no lease, or the lease had closed).
/// </summary>
internal sealed record UsageRecordRow(
    string Organisation,
    string Id,
    string Source,
    long Sequence,
    IReadOnlyList<string> Wallets,
    decimal Amount,
    string Currency,
    DateTimeOffset At,
    string? Lease,
    string? Scope,
    string? Provider,
    string? Model,
    long InputTokens,
    long OutputTokens);
