namespace AiOrchestrator.Caching;

/// <summary>A cache lifetime for an organisation and/or a model (either may be left unset to match any).</summary>
public sealed class CacheTimeToLiveRule
{
    /// <summary>The organisation the rule applies to; <see langword="null"/> for any.</summary>
    public string? Organization { get; set; }

    /// <summary>The requested model (or alias) the rule applies to; <see langword="null"/> for any.</summary>
    public string? Model { get; set; }

    /// <summary>How long matching entries are served. <see cref="TimeSpan.Zero"/> turns caching off for them.</summary>
    public TimeSpan TimeToLive { get; set; }
}
