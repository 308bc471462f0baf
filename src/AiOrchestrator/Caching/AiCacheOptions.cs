namespace AiOrchestrator.Caching;

/// <summary>
/// How the response cache behaves: how long entries live, which calls it skips, and which organisations share
/// entries. Bind it from the <see cref="SectionName"/> configuration section, or set it in code.
/// </summary>
/// <remarks>
/// Every organisation has its own partition: an entry written for one organisation is never served to another,
/// unless a <see cref="PartitionRules"/> entry puts them in one named partition on purpose.
/// </remarks>
public sealed class AiCacheOptions
{
    /// <summary>The configuration section these options are read from: <c>AiOrchestrator:Cache</c>.</summary>
    public const string SectionName = "AiOrchestrator:Cache";

    /// <summary>How long an entry is served. Defaults to one hour.</summary>
    public TimeSpan DefaultTimeToLive { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Other lifetimes by organisation and/or model; the first matching rule wins.</summary>
    public IList<CacheTimeToLiveRule> TimeToLiveRules { get; } = new List<CacheTimeToLiveRule>();

    /// <summary>
    /// Organisations that share a partition on purpose (for example public documentation answers): every organisation
    /// listed under one partition name reads and writes the same entries. Unlisted organisations keep their own.
    /// </summary>
    public IList<CachePartitionRule> PartitionRules { get; } = new List<CachePartitionRule>();

    /// <summary>
    /// What to do with a call whose <c>Temperature</c> is above zero (its answers are meant to vary). Defaults to
    /// <see cref="SamplingCachePolicy.Bypass"/>.
    /// </summary>
    public SamplingCachePolicy SampledCalls { get; set; } = SamplingCachePolicy.Bypass;

    /// <summary>
    /// Tools whose calls have side effects (by function name): a request that offers one of them is never answered
    /// from the cache. A tool can also say so itself with <c>AdditionalProperties["aiorchestrator.cache.side_effects"] = true</c>.
    /// </summary>
    public IList<string> ToolsWithSideEffects { get; } = new List<string>();

    /// <summary>The semantic cache (off by default).</summary>
    public SemanticCacheOptions Semantic { get; set; } = new();

    /// <summary>The largest response kept, in bytes; larger ones are not cached (and counted). Defaults to 1 MiB.</summary>
    public int MaxEntryBytes { get; set; } = 1 << 20;
}
