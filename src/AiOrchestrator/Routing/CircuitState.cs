namespace AiOrchestrator.Routing;

/// <summary>The health of a target as its circuit breaker sees it.</summary>
internal enum CircuitState
{
    /// <summary>Calls go through.</summary>
    Closed = 0,

    /// <summary>Calls skip the target until the break ends.</summary>
    Open = 1,

    /// <summary>The break ended and one probe call is in flight; other calls skip the target until it ends.</summary>
    HalfOpen = 2,
}
