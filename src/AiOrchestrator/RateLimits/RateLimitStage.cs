namespace AiOrchestrator.RateLimits;

/// <summary>Where in a call a limit is checked: request limits before routing, token and cost limits per attempt.</summary>
internal enum RateLimitStage : byte
{
    Requests = 0,
    Attempt = 1,
}
