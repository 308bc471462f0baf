namespace AiOrchestrator.Ledger.Server.Storage.Rows;

/// <summary>
/// The first response to a request made with an <c>Idempotency-Key</c>: keyed by (API key id, idempotency key),
/// with the SHA-256 (hex) of the request it answered. Written in the same unit as the mutation.
/// </summary>
internal sealed record IdempotencyRow(
    string KeyId,
    string Key,
    string RequestHash,
    int StatusCode,
    string ContentType,
    byte[] Body,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt);
