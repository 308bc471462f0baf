using Microsoft.Extensions.Logging;

namespace AiOrchestrator.RateLimits;

/// <summary>The rate limiter's log messages (event ids 3600-3699). Partitions name scopes, never prompt text.</summary>
internal static partial class RateLimitLog
{
    [LoggerMessage(3600, LogLevel.Information, "Rate limit refused a call: {Kind} limit of {Partition}, reason {Reason}, retry after {RetryAfter}.")]
    public static partial void Rejected(ILogger logger, RateLimitKind kind, string partition, string reason, TimeSpan? retryAfter);

    [LoggerMessage(3601, LogLevel.Information, "Rate limits reloaded: {Rules} rules; counts in the current windows are kept.")]
    public static partial void Reloaded(ILogger logger, int rules);

    [LoggerMessage(3602, LogLevel.Error, "Reloaded rate limits are invalid and were not applied; the previous limits stay: {Failures}")]
    public static partial void ReloadRejected(ILogger logger, string failures);

    [LoggerMessage(3603, LogLevel.Debug, "Dropped {Partitions} idle rate-limit partitions and {Paths} cached scope paths; {Remaining} partitions remain.")]
    public static partial void Swept(ILogger logger, int partitions, int paths, int remaining);
}
