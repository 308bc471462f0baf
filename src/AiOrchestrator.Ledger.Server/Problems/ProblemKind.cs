namespace AiOrchestrator.Ledger.Server.Problems;

/// <summary>
/// Every kind of error the ledger answers with, each with a stable <c>type</c> URI
/// (<c>urn:aiorchestrator:ledger:problem:&lt;name&gt;</c>), an HTTP status and a title.
/// </summary>
internal sealed record ProblemKind(string Name, int Status, string Title)
{
    public const string TypePrefix = "urn:aiorchestrator:ledger:problem:";

    public string Type => TypePrefix + Name;

    public static readonly ProblemKind MalformedJson = new("malformed-json", 400, "The request body is not valid JSON for this operation");
    public static readonly ProblemKind InvalidRequest = new("invalid-request", 400, "The request is invalid");
    public static readonly ProblemKind IdempotencyKeyRequired = new("idempotency-key-required", 400, "An Idempotency-Key header is required");
    public static readonly ProblemKind Unauthenticated = new("unauthenticated", 401, "A valid API key is required");
    public static readonly ProblemKind Forbidden = new("forbidden", 403, "The API key may not do this");
    public static readonly ProblemKind NotFound = new("not-found", 404, "Not found");
    public static readonly ProblemKind RouteNotFound = new("route-not-found", 404, "No such endpoint");
    public static readonly ProblemKind MethodNotAllowed = new("method-not-allowed", 405, "The endpoint does not accept this method");
    public static readonly ProblemKind NotAcceptable = new("not-acceptable", 406, "The endpoint cannot answer in the media type asked for");
    public static readonly ProblemKind BudgetExceeded = new("budget-exceeded", 409, "The wallet cannot cover the amount");
    public static readonly ProblemKind HoldClosed = new("hold-closed", 409, "The reservation or lease is no longer open");
    public static readonly ProblemKind HoldExpired = new("hold-expired", 409, "The reservation or lease has expired");
    public static readonly ProblemKind Conflict = new("conflict", 409, "The request conflicts with the ledger's state");
    public static readonly ProblemKind UsageSequenceGap = new("usage-sequence-gap", 409, "The usage batch skips a sequence number");
    public static readonly ProblemKind AuditChainMismatch = new("audit-chain-mismatch", 409, "The audit entries do not extend the stored chain");
    public static readonly ProblemKind CheckpointMismatch = new("checkpoint-mismatch", 409, "The checkpoint does not match the stored chain");
    public static readonly ProblemKind IdempotencyInProgress = new("idempotency-in-progress", 409, "A request with this Idempotency-Key is still in progress");
    public static readonly ProblemKind PayloadTooLarge = new("payload-too-large", 413, "The request body is too large");
    public static readonly ProblemKind UnsupportedMediaType = new("unsupported-media-type", 415, "The request body must be application/json");
    public static readonly ProblemKind IdempotencyKeyReused = new("idempotency-key-reused", 422, "The Idempotency-Key was used for a different request");
    public static readonly ProblemKind UnprocessableAmount = new("commit-exceeds-reservation", 422, "The amount is more than the reservation holds");
    public static readonly ProblemKind CurrencyMismatch = new("currency-mismatch", 422, "The currency is not the wallet's");
    public static readonly ProblemKind AuditEntryInvalid = new("audit-entry-invalid", 422, "An audit entry is not valid");
    public static readonly ProblemKind RateLimited = new("rate-limited", 429, "Too many requests for this API key");
    public static readonly ProblemKind Unavailable = new("store-unavailable", 503, "The ledger's store is unavailable");
    public static readonly ProblemKind Internal = new("internal-error", 500, "The ledger failed unexpectedly");

    /// <summary>For framework-made status codes.</summary>
    public static ProblemKind ForStatus(int status) => status switch
    {
        400 => InvalidRequest,
        401 => Unauthenticated,
        403 => Forbidden,
        404 => RouteNotFound,
        405 => MethodNotAllowed,
        406 => NotAcceptable,
        413 => PayloadTooLarge,
        415 => UnsupportedMediaType,
        429 => RateLimited,
        503 => Unavailable,
        >= 500 => Internal,
        _ => new ProblemKind("http-" + status, status, "HTTP " + status),
    };
}
