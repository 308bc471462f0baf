using AiOrchestrator.Pricing;
using AiOrchestrator.Tokens;

namespace AiOrchestrator;

/// <summary>
/// Settings of AiOrchestrator, bound from the <c>AiOrchestrator</c> configuration section and validated when the
/// app starts (an invalid setting fails start-up with a message that names it).
/// </summary>
public sealed class AiOrchestratorOptions
{
    /// <summary>The configuration section these options are read from by default.</summary>
    public const string SectionName = "AiOrchestrator";

    /// <summary>
    /// The LiteDB file that holds usage records and wallets (created when missing), or <c>:memory:</c> for a
    /// store that lives only as long as the process. Default: <c>aiorchestrator.db</c> in the working directory.
    /// </summary>
    public string StorePath { get; set; } = "aiorchestrator.db";

    /// <summary>
    /// The scope of calls that resolve no other scope, and the source of the organisation and app of partial scopes.
    /// Default: organisation <c>default</c>.
    /// </summary>
    public AiScope DefaultScope { get; set; } = new() { Organization = "default" };

    /// <summary>Price overrides and the policy for models without a price.</summary>
    public PricingOptions Pricing { get; set; } = new();

    /// <summary>How input tokens are counted before a call: a cheap conservative estimate (default) or exactly.</summary>
    public TokenCountingMode TokenCounting { get; set; } = TokenCountingMode.Estimate;

    /// <summary>
    /// How long usage records are kept in the local store; older ones are deleted as new ones are written, so the file
    /// stops growing (about 120 bytes per call). Null (the default) keeps every record, for spend reports and
    /// chargeback over any period: then the file grows with the number of calls.
    /// </summary>
    public TimeSpan? UsageRetention { get; set; }
}
