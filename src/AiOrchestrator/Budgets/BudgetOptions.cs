namespace AiOrchestrator.Budgets;

/// <summary>
/// Options of the local budget ledger, bindable from configuration (section <see cref="SectionName"/>).
/// </summary>
public sealed class BudgetOptions
{
    /// <summary>The configuration section the options are read from.</summary>
    public const string SectionName = "AiOrchestrator:Budgets";

    /// <summary>
    /// The budget stage lowers the output cap of a call that sets none, or more than the wallets can pay for, to what
    /// they can pay for. Default true; when false, an unaffordable call is refused.
    /// </summary>
    public bool ClampMaxOutputTokens { get; set; } = true;

    /// <summary>The output cap the budget stage reserves for (and sends with) calls that set none. Default 4,096.</summary>
    public int DefaultMaxOutputTokens { get; set; } = 4096;

    /// <summary>The budget stage waits until each settlement is on disk before returning the response. Default false.</summary>
    public bool WaitForDurableSettlement { get; set; }

    /// <summary>
    /// The path of the budget journal file (for example <c>data/aiorchestrator.budget.journal</c>), which keeps every
    /// posted transaction across restarts and crashes. Registered with <c>AddBudgetLedger</c>, null means a file beside
    /// the usage store and <c>:memory:</c> keeps the ledger in memory only; a <see cref="BudgetLedger"/> constructed in
    /// code keeps it in memory when this is null or <c>:memory:</c> (nothing survives a restart: tests and demos).
    /// </summary>
    public string? StorePath { get; set; }

    /// <summary>How long a reservation may stay pending before it expires and its hold is released; 10 minutes by default.</summary>
    public TimeSpan ReservationTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How often expired reservations are swept; 30 seconds by default (they also expire when touched).</summary>
    public TimeSpan ExpirySweepInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long idempotency keys and resolved reservations are remembered; 15 minutes by default. Must be at least
    /// <see cref="ReservationTimeout"/>. Memory grows with the call rate times this window.
    /// </summary>
    public TimeSpan IdempotencyRetention { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Once the journal has grown by this many bytes (and by at least four times the size of the last snapshot)
    /// since the last snapshot, the ledger state is written to a snapshot file next to it (<c>StorePath.snapshot</c>),
    /// so a start replays only the journal after it; 16 MiB by default. A snapshot is also written on a clean stop.
    /// </summary>
    public long SnapshotAfterBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>The default time zone of wallet calendars (IANA id such as <c>Europe/Berlin</c>); UTC by default.</summary>
    public string TimeZone { get; set; } = "UTC";

    /// <summary>The wallets to create (or update) when the ledger starts.</summary>
    public IList<WalletOptions> Wallets { get; } = [];

    /// <summary>
    /// The most call attempts whose reserve and settle/release outcomes are remembered for idempotent retries
    /// (about 100 bytes each); 300,000 by default, which keeps this memory near 30 MB however many calls pass (at
    /// 100,000 calls per second that is the last 3 seconds of calls; fewer calls per second are remembered longer).
    /// Beyond it the oldest are forgotten before <see cref="IdempotencyRetention"/> ends (logged and counted in the
    /// <c>aiorchestrator.budget.idempotency.evicted</c> metric): a retry of a forgotten call is then treated as new.
    /// </summary>
    public int MaxRememberedCalls { get; set; } = 300_000;

    /// <summary>
    /// The size at which the live journal file is closed into a segment (<c>StorePath.000001</c>, ...) behind a
    /// snapshot and a new live file is started; 32 MiB by default. It bounds the live file and the replay on start.
    /// </summary>
    public long JournalSegmentBytes { get; set; } = 32 * 1024 * 1024;

    /// <summary>
    /// How many closed journal segments are kept for history queries; 8 by default. Older segments are deleted
    /// once a snapshot covers them: their history is summarized by an opening-balance transaction.
    /// </summary>
    public int MaxJournalSegments { get; set; } = 8;

    /// <summary>
    /// Tag budget metrics with the wallet id (one time series per wallet, which can be many per-user series). By
    /// default they are tagged only by the wallet's scope level (organization, team, user, app).
    /// </summary>
    public bool MetricsByWallet { get; set; }
}
