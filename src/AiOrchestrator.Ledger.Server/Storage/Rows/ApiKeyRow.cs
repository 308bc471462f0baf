namespace AiOrchestrator.Ledger.Server.Storage.Rows;

/// <summary>An API key; only the SHA-256 of its secret is kept (lowercase hex, unique).</summary>
internal sealed record ApiKeyRow(
    string Id,
    string SecretHash,
    ApiKeyRole Role,
    string? Organisation,
    IReadOnlyList<string> Wallets,
    string? Name,
    DateTimeOffset CreatedAt,
    DateTimeOffset? RevokedAt);
