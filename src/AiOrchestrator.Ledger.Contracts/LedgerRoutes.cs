namespace AiOrchestrator.Ledger;

/// <summary>
/// The paths of the ledger's HTTP API, relative to its base address. Amounts travel as decimal strings in the
/// invariant culture (<c>"0.0125"</c>) with a separate ISO 4217 currency, so no client rounds money through a float.
/// Wallet ids are the local ledger's ids (<c>org:acme</c>, <c>team:acme/search</c>, <c>user:acme/search/alice</c>,
/// <c>app:acme/chatbot</c>); a wallet belongs to the organisation its id names.
/// </summary>
public static class LedgerRoutes
{
    /// <summary>The version prefix of every API path.</summary>
    public const string Prefix = "/v1";

    /// <summary>Liveness and storage health; needs no key.</summary>
    public const string Health = "/health";

    /// <summary>The build-time OpenAPI document.</summary>
    public const string OpenApiDocument = "/openapi/v1.json";

    /// <summary><c>POST</c> creates an API key (admin); <c>GET</c> lists keys (admin).</summary>
    public const string Keys = "/v1/keys";

    /// <summary><c>DELETE</c> revokes a key (admin).</summary>
    public const string Key = "/v1/keys/{keyId}";

    /// <summary><c>PUT</c> creates or renames an organisation (admin); <c>GET</c> reads it.</summary>
    public const string Organisation = "/v1/organisations/{organisation}";

    /// <summary><c>GET</c> lists the organisation's wallets the key may see.</summary>
    public const string Wallets = "/v1/organisations/{organisation}/wallets";

    /// <summary><c>PUT</c> defines or updates a wallet (admin); <c>GET</c> reads its current period.</summary>
    public const string Wallet = "/v1/organisations/{organisation}/wallets/{**wallet}";

    /// <summary><c>POST</c> adds allowance to a wallet for its current period (admin).</summary>
    public const string TopUps = "/v1/organisations/{organisation}/top-ups";

    /// <summary><c>POST</c> gives spend back to a wallet (admin).</summary>
    public const string Refunds = "/v1/organisations/{organisation}/refunds";

    /// <summary><c>GET</c> a wallet's transactions, oldest first, paged by sequence (<c>?wallet=&amp;after=&amp;limit=</c>).</summary>
    public const string Transactions = "/v1/organisations/{organisation}/transactions";

    /// <summary><c>POST</c> holds an amount on one or more wallets, all or nothing.</summary>
    public const string Reservations = "/v1/organisations/{organisation}/reservations";

    /// <summary><c>GET</c> reads a reservation.</summary>
    public const string Reservation = "/v1/organisations/{organisation}/reservations/{reservationId}";

    /// <summary><c>POST</c> posts the actual amount (at most the reserved amount) and releases the rest.</summary>
    public const string ReservationCommit = "/v1/organisations/{organisation}/reservations/{reservationId}/commit";

    /// <summary><c>POST</c> voids a reservation.</summary>
    public const string ReservationRelease = "/v1/organisations/{organisation}/reservations/{reservationId}/release";

    /// <summary><c>POST</c> takes a lease: a slice of one or more wallets a process spends locally.</summary>
    public const string Leases = "/v1/organisations/{organisation}/leases";

    /// <summary><c>GET</c> reads a lease.</summary>
    public const string Lease = "/v1/organisations/{organisation}/leases/{leaseId}";

    /// <summary><c>POST</c> extends a lease's expiry and optionally grows it.</summary>
    public const string LeaseRenew = "/v1/organisations/{organisation}/leases/{leaseId}/renew";

    /// <summary><c>POST</c> closes a lease and returns what it did not spend.</summary>
    public const string LeaseReturn = "/v1/organisations/{organisation}/leases/{leaseId}/return";

    /// <summary><c>POST</c> uploads a batch of usage records (in order per source).</summary>
    public const string Usage = "/v1/organisations/{organisation}/usage";

    /// <summary><c>POST</c> uploads audit entries that extend a source's hash chain.</summary>
    public const string AuditEntries = "/v1/organisations/{organisation}/audit/entries";

    /// <summary><c>POST</c> anchors a signed checkpoint of a source's audit log; <c>GET</c> lists them (<c>?source=</c>).</summary>
    public const string AuditCheckpoints = "/v1/organisations/{organisation}/audit/checkpoints";

    /// <summary><c>GET</c> spend grouped by scope, model, provider or day (<c>?from=&amp;to=&amp;by=</c>); <c>text/csv</c> when asked.</summary>
    public const string SpendReport = "/v1/organisations/{organisation}/reports/spend";

    /// <summary>The header that makes a mutation idempotent (IETF draft semantics).</summary>
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    /// <summary>The authentication scheme: every call but health sends <c>Authorization: Bearer &lt;api key&gt;</c>.</summary>
    public const string AuthenticationScheme = "Bearer";
}
