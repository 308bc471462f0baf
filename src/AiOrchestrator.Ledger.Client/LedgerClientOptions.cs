namespace AiOrchestrator.Ledger.Client;

/// <summary>
/// How a process spends organisation-wide budgets from the ledger service: where the ledger is, how large and how
/// long its leases are, how usage is uploaded, and what happens when the ledger cannot be reached. Bound from the
/// <c>AiOrchestrator:Ledger</c> section and validated at start.
/// </summary>
public sealed class LedgerClientOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "AiOrchestrator:Ledger";

    /// <summary>The ledger's base address, such as <c>https://ledger.internal:8080/</c>. Required.</summary>
    public Uri? Url { get; set; }

    /// <summary>The API key (a client key of <see cref="Organisation"/>) sent as a bearer token. Required.</summary>
    public string? ApiKey { get; set; }

    /// <summary>The organisation whose wallets this process spends from, as in wallet ids (<c>org:&lt;id&gt;</c>). Required.</summary>
    public string? Organisation { get; set; }

    /// <summary>Who holds this process's leases, for the ledger's history; the machine name and process id by default.</summary>
    public string? Holder { get; set; }

    /// <summary>
    /// The stable id of this process's usage outbox (the usage source). By default one is generated when the outbox is
    /// first created and kept in it, so a restarted process goes on with its sequence.
    /// </summary>
    public string? Source { get; set; }

    /// <summary>A lease is sized to hold about this much spend at the current spend rate. Default 30 seconds.</summary>
    public TimeSpan LeaseHorizon { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The smallest lease taken (in the wallets' currency). Default 0.10.</summary>
    public decimal MinLeaseAmount { get; set; } = 0.10m;

    /// <summary>The largest lease held per wallet path (a single call that needs more still gets what it needs). Default 10.</summary>
    public decimal MaxLeaseAmount { get; set; } = 10m;

    /// <summary>The shortest lease lifetime asked for (a busy path). Default 30 seconds.</summary>
    public TimeSpan MinLeaseTtl { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest lease lifetime asked for (a quiet path). Default 5 minutes.</summary>
    public TimeSpan MaxLeaseTtl { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Renew (and grow) a lease in the background when what it still holds falls below this fraction of its target size. Default 0.5.</summary>
    public decimal RenewBelowFraction { get; set; } = 0.5m;

    /// <summary>Renew a lease in the background when it expires within this time. Default 15 seconds.</summary>
    public TimeSpan RenewBeforeExpiry { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Stop spending from a lease this long before its expiry, so a clock that differs a little from the ledger's
    /// never spends what the ledger has already taken back. Default 2 seconds.
    /// </summary>
    public TimeSpan ExpiryMargin { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Return a lease nobody has spent from for this long. Default 2 minutes.</summary>
    public TimeSpan IdleLeaseReturn { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How often the background work runs (lease renewal, expiry, uploads when due). Default 200 ms.</summary>
    public TimeSpan SyncInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>How often usage is uploaded (sooner when a full batch is waiting). Default 1 second.</summary>
    public TimeSpan UploadInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Usage records per upload batch (1 to 5,000). Default 1,000.</summary>
    public int UploadBatchSize { get; set; } = 1000;

    /// <summary>
    /// The most usage records the outbox keeps before new reservations are refused (settled spend is always kept).
    /// Default 1,000,000.
    /// </summary>
    public int OutboxCapacity { get; set; } = 1_000_000;

    /// <summary>How often the list of wallets is read from the ledger. Default 30 seconds.</summary>
    public TimeSpan WalletRefreshInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The timeout of one attempt of one request to the ledger. Default 2 seconds.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>After the ledger could not be reached, calls go straight to the fallback for this long before it is tried again on the request path. Default 2 seconds.</summary>
    public TimeSpan RetryUnreachableAfter { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>A pending reservation that is neither settled nor released in this time expires and gives its hold back. Default 10 minutes.</summary>
    public TimeSpan ReservationTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long a settled or released call is remembered, so a retried settle or release returns the first outcome. Default 2 minutes.</summary>
    public TimeSpan IdempotencyRetention { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>What to do when the leases cannot cover a call and the ledger cannot be reached. Default <see cref="LedgerFallback.Deny"/>.</summary>
    public LedgerFallback Fallback { get; set; } = LedgerFallback.Deny;

    /// <summary>The allowance of <see cref="LedgerFallback.Allowance"/>, in <see cref="FallbackCurrency"/>. Default 0.</summary>
    public decimal FallbackAllowance { get; set; }

    /// <summary>The currency of <see cref="FallbackAllowance"/> and of the leases when no wallet says otherwise. Default USD.</summary>
    public string FallbackCurrency { get; set; } = Money.DefaultCurrency;

    /// <summary>How long stopping the host may take to upload the outbox and return the leases. Default 5 seconds.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
