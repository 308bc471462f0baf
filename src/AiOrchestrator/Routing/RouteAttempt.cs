namespace AiOrchestrator.Routing;

/// <summary>One target the router tried (or skipped) for a call, and why it did not serve it.</summary>
public sealed record RouteAttempt
{
    /// <summary>The target's name.</summary>
    public required string Target { get; init; }

    /// <summary>The model the attempt asked for.</summary>
    public required string Model { get; init; }

    /// <summary>The kind of failure.</summary>
    public required RouteFailure Failure { get; init; }

    /// <summary>The HTTP status the provider answered with, when known.</summary>
    public int? StatusCode { get; init; }

    /// <summary>The type name of the error (for example <c>ClientResultException</c>), or null for a skipped target.</summary>
    public string? ErrorType { get; init; }

    /// <summary>The error's message, or why the target was skipped.</summary>
    public required string Message { get; init; }

    /// <summary>How long the attempt took (zero for a skipped target).</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>How long the provider asked callers to wait (its Retry-After), when it said.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <inheritdoc/>
    public override string ToString()
    {
        var status = StatusCode is { } code ? $" ({code})" : string.Empty;
        var elapsed = Failure is RouteFailure.CircuitOpen ? string.Empty : $" after {Elapsed.TotalMilliseconds:0} ms";
        var type = ErrorType is null ? string.Empty : $" {ErrorType}:";
        return $"{Target} ({Model}): {Failure}{status}{elapsed}:{type} {Message}";
    }
}
