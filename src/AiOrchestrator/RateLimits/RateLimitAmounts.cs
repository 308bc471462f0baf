namespace AiOrchestrator.RateLimits;

/// <summary>What one acquisition asks of each kind of limit: requests, (weighted) tokens and cost in nano-dollars.</summary>
internal readonly record struct RateLimitAmounts(long Requests, long Tokens, long Cost);
