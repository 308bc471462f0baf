namespace AiOrchestrator.Routing;

/// <summary>What the router concluded from an attempt's error.</summary>
/// <param name="Retryable">True when the next target may be tried.</param>
/// <param name="Failure">The kind of failure, when retryable.</param>
/// <param name="StatusCode">The HTTP status the provider answered with, when known.</param>
/// <param name="RetryAfter">The provider's Retry-After, when it gave one.</param>
/// <param name="CountsAgainstHealth">True when the error says the target is unhealthy (opens circuits).</param>
internal readonly record struct FailureClassification(
    bool Retryable,
    RouteFailure Failure,
    int? StatusCode,
    TimeSpan? RetryAfter,
    bool CountsAgainstHealth)
{
    public static FailureClassification NotRetryable(int? status) => new(false, default, status, null, false);
}
