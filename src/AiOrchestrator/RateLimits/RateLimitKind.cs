namespace AiOrchestrator.RateLimits;

/// <summary>What a limit counts.</summary>
public enum RateLimitKind
{
    /// <summary>Calls, counted before routing.</summary>
    Requests = 0,

    /// <summary>Tokens (input and output), estimated before each attempt and reconciled with the usage after it.</summary>
    Tokens = 1,

    /// <summary>Cost in US dollars, estimated before each attempt and reconciled with the actual cost after it.</summary>
    Cost = 2,
}
