namespace AiOrchestrator.RateLimits;

/// <summary>
/// The limits one kind of call of one scope (and model) passes, user first, then team, then organisation; resolved
/// once per scope and rule set, then reused, so the hot path looks up one dictionary entry.
/// </summary>
internal sealed class RateLimitPath(in PathKey key, WindowLimiter[] limiters, int version, decimal weight, bool hasCost)
{
    private long _lastUsed;

    public PathKey Key { get; } = key;

    public RateLimitStage Stage => Key.Stage;

    public WindowLimiter[] Limiters { get; } = limiters;

    /// <summary>The rule set it was resolved from; an older one is resolved again.</summary>
    public int Version { get; } = version;

    /// <summary>The model's token weight (1 when it has none).</summary>
    public decimal Weight { get; } = weight;

    /// <summary>True when a cost limit is on the path (cost is converted only then).</summary>
    public bool HasCost { get; } = hasCost;

    public long LastUsed
    {
        get => Volatile.Read(ref _lastUsed);
        set => Volatile.Write(ref _lastUsed, value);
    }

    /// <summary>Tokens as the token limits count them.</summary>
    public long Weigh(long tokens) => Weight == 1m || tokens <= 0 ? tokens : (long)decimal.Ceiling(tokens * Weight);

    public RateLimitAmounts Amounts(long tokens, decimal cost) => new(1, Weigh(tokens), HasCost ? RateLimitCost.ToUnits(cost) : 0);
}
