using System.Diagnostics.CodeAnalysis;
using AiOrchestrator.Pipeline;

namespace AiOrchestrator.RateLimits;

/// <summary>
/// What a call took from its rate limits. A token/cost permit is reconciled once the usage is known:
/// <see cref="Settle"/> charges what the estimate missed, or gives back what it overstated; <see cref="Release"/>
/// gives everything back when the attempt used nothing. Settle or release a permit once. A request permit has nothing
/// to reconcile (a request is a request), so both are no-ops on it.
/// </summary>
/// <remarks>A struct, so the hot path allocates nothing; copies share one acquisition: settle only one of them.</remarks>
[Experimental(AiCall.ExperimentalDiagnosticId)]
public readonly struct RateLimitPermit
{
    private readonly ScopeRateLimiter? _owner;
    private readonly RateLimitPath? _path;
    private readonly long _takenAt;
    private readonly RateLimitAmounts _amounts;

    internal RateLimitPermit(ScopeRateLimiter owner, RateLimitPath path, long takenAt, in RateLimitAmounts amounts, TimeSpan queueTime)
    {
        _owner = owner;
        _path = path;
        _takenAt = takenAt;
        _amounts = amounts;
        QueueTime = queueTime;
    }

    /// <summary>How long the call waited in a queue for its limits (zero when it passed at once).</summary>
    public TimeSpan QueueTime { get; }

    /// <summary>True when some limit applied to the call (false when no rule matched its scope).</summary>
    public bool IsLimited => _path is { Limiters.Length: > 0 };

    /// <summary>The tokens the limits counted for the call so far (weighted by the model's weight).</summary>
    public long CountedTokens => _amounts.Tokens;

    /// <summary>
    /// Reconciles the estimate with the actual usage: tokens beyond the estimate are charged now, tokens below it are
    /// given back to the window that was charged; the same for cost. Call it once, when the attempt's usage is known.
    /// </summary>
    /// <param name="actualTokens">Input plus output tokens the provider reported (or the estimate of them).</param>
    /// <param name="actualCost">The attempt's actual cost in US dollars.</param>
    public void Settle(long actualTokens, decimal actualCost)
    {
        if (_path is not { Stage: RateLimitStage.Attempt } path || path.Limiters.Length == 0)
        {
            return;
        }

        ArgumentOutOfRangeException.ThrowIfNegative(actualTokens);
        ArgumentOutOfRangeException.ThrowIfNegative(actualCost);
        _owner!.Settle(path, _takenAt, _amounts, path.Amounts(actualTokens, actualCost));
    }

    /// <summary>Gives back all the attempt took: it failed or was cancelled before using anything.</summary>
    public void Release() => Settle(0, 0m);
}
