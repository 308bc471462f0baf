namespace AiOrchestrator.RateLimits;

/// <summary>The scope (and model) a path is cached under; compared by value without allocating.</summary>
internal readonly record struct PathKey(RateLimitStage Stage, string? Organization, string? Team, string? User, string? Model);

/// <summary>One partition of one rule and kind: what a <see cref="WindowLimiter"/> is kept under.</summary>
internal readonly record struct PartitionKey(string Rule, RateLimitKind Kind, string? Organization, string? Team, string? User, string? Model);
