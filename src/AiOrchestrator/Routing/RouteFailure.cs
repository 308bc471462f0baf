namespace AiOrchestrator.Routing;

/// <summary>Why an attempt on a target failed in a way that let the router try the next target.</summary>
public enum RouteFailure
{
    /// <summary>The provider answered 429 Too Many Requests.</summary>
    RateLimited = 0,

    /// <summary>The provider answered with a 5xx status (or Anthropic's 529 overloaded).</summary>
    ServerError = 1,

    /// <summary>The attempt ran past its target's timeout, or the HTTP client timed out.</summary>
    Timeout = 2,

    /// <summary>The provider could not be reached, or the connection broke before an answer.</summary>
    Connection = 3,

    /// <summary>The provider answered with something that is not a valid response (garbage, or a stream cut short before its first update).</summary>
    InvalidResponse = 4,

    /// <summary>The target was not tried: its circuit is open after recent failures.</summary>
    CircuitOpen = 5,

    /// <summary>The target was not tried: its client refused the call before sending it (for example, a budget could not cover this model).</summary>
    Refused = 6,
}
