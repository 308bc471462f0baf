namespace AiOrchestrator.Routing;

/// <summary>
/// When a target is taken out of rotation. A target's circuit opens after <see cref="ConsecutiveFailures"/> retryable
/// failures in a row, or when at least <see cref="FailureRatio"/> of the calls in the last
/// <see cref="SamplingDuration"/> failed (once there were <see cref="MinimumThroughput"/> calls). An open circuit is
/// skipped for <see cref="BreakDuration"/>; then one call probes it (half-open) and closes it on success.
/// </summary>
public sealed class CircuitBreakerOptions
{
    /// <summary>Retryable failures in a row that open the circuit. Default 5; 0 turns this test off.</summary>
    public int ConsecutiveFailures { get; set; } = 5;

    /// <summary>The share of failed calls in the sampling window that opens the circuit, above 0 and at most 1. Default 0.5.</summary>
    public double FailureRatio { get; set; } = 0.5;

    /// <summary>Calls the sampling window needs before <see cref="FailureRatio"/> applies. Default 10.</summary>
    public int MinimumThroughput { get; set; } = 10;

    /// <summary>The window the failure ratio is measured over. Default 30 seconds.</summary>
    public TimeSpan SamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an open circuit skips its target before a probe. Default 30 seconds.</summary>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The longest a provider's Retry-After (on a 429 or 503) may keep its target's circuit open. Default 5 minutes;
    /// zero ignores Retry-After.
    /// </summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromMinutes(5);
}
