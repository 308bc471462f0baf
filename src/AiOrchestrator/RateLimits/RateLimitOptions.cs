namespace AiOrchestrator.RateLimits;

/// <summary>
/// Requests, tokens and cost per window, per organisation, team and user. Bind it from the <see cref="SectionName"/>
/// configuration section, or set it in code; a reloaded configuration applies to new acquisitions and keeps what the
/// current windows have counted.
/// </summary>
public sealed class RateLimitOptions
{
    /// <summary>The configuration section these options are read from: <c>AiOrchestrator:RateLimits</c>.</summary>
    public const string SectionName = "AiOrchestrator:RateLimits";

    /// <summary>The largest <see cref="QueueLimit"/> accepted.</summary>
    public const int MaxQueueLimit = 10_000;

    /// <summary>The largest <see cref="Segments"/> accepted.</summary>
    public const int MaxSegments = 3_600;

    /// <summary>How long a limit counts what was used: a sliding window. Defaults to one minute.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How many slices the window is counted in (default 60: one-second slices for a minute). The count covers the
    /// window plus the current slice, so no window ever admits more than the limit; a finer window lets a waiting call
    /// in sooner. Memory is eight bytes per slice per partition.
    /// </summary>
    public int Segments { get; set; } = 60;

    /// <summary>
    /// How many calls may wait, per partition and in arrival order, for a limit to free up; 0 (the default) refuses at
    /// once with a retry-after. At most <see cref="MaxQueueLimit"/>.
    /// </summary>
    public int QueueLimit { get; set; }

    /// <summary>
    /// A partition (one organisation, team or user's count) unused this long and with nothing left in its window is
    /// dropped, so memory follows the scopes active recently, not every scope ever seen. Defaults to ten minutes.
    /// </summary>
    public TimeSpan IdlePartitionTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The limits; none by default (nothing is limited).</summary>
    public IList<RateLimitRule> Limits { get; } = new List<RateLimitRule>();

    /// <summary>
    /// How many tokens of a token limit one token of a model uses (default 1): with <c>gpt-4o = 4</c>, a call to it uses
    /// four times its tokens, so expensive models use more of a shared limit. Cost limits measure this in dollars instead.
    /// </summary>
    public IDictionary<string, decimal> ModelWeights { get; } = new Dictionary<string, decimal>(StringComparer.OrdinalIgnoreCase);
}
