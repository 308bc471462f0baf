namespace AiOrchestrator.RateLimits;

/// <summary>The level of the scope a limit is kept for: each organisation, each team or each user has its own.</summary>
public enum RateLimitLevel
{
    /// <summary>One limit per organisation, shared by its teams and users.</summary>
    Organization = 0,

    /// <summary>One limit per team (within its organisation), shared by its users.</summary>
    Team = 1,

    /// <summary>One limit per user (within its organisation).</summary>
    User = 2,
}
