namespace AiOrchestrator.Routing;

/// <summary>What the router knows about one target's health: its circuit and its speed. Shared by name across routes.</summary>
internal sealed class TargetHealth(CircuitBreakerOptions breaker, TimeProvider time)
{
    public CircuitBreaker Circuit { get; } = new(breaker, time);

    public LatencyAverage Latency { get; } = new();
}
