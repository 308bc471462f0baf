using System.Globalization;

namespace AiOrchestrator.RateLimits;

/// <summary>
/// A call was refused by a rate limit: which limit (requests, tokens or cost), whose (the partition, such as a team),
/// and when to retry. Nothing was taken from any limit. It never carries prompt text.
/// </summary>
public sealed class RateLimitExceededException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="kind">What the limit counts.</param>
    /// <param name="level">The level of the partition that refused.</param>
    /// <param name="partition">Who the partition is for, in words.</param>
    /// <param name="limit">The limit per window (requests, tokens, or US dollars).</param>
    /// <param name="requested">What the call asked for, in the same unit.</param>
    /// <param name="window">The window of the limit.</param>
    /// <param name="retryAfter">When the call would fit, or null when it never fits.</param>
    /// <param name="queueFull">True when the call could not wait because the queue was full.</param>
    public RateLimitExceededException(RateLimitKind kind, RateLimitLevel level, string partition, decimal limit, decimal requested, TimeSpan window, TimeSpan? retryAfter, bool queueFull)
        : base(Describe(kind, partition, limit, requested, window, retryAfter, queueFull))
    {
        Kind = kind;
        Level = level;
        Partition = partition;
        Limit = limit;
        Requested = requested;
        Window = window;
        RetryAfter = retryAfter;
        QueueFull = queueFull;
    }

    /// <summary>What the limit counts.</summary>
    public RateLimitKind Kind { get; }

    /// <summary>The level of the partition that refused.</summary>
    public RateLimitLevel Level { get; }

    /// <summary>Who the partition is for, such as <c>team 'search' of organization 'acme'</c>.</summary>
    public string Partition { get; }

    /// <summary>The limit per <see cref="Window"/>: requests, tokens (weighted), or US dollars.</summary>
    public decimal Limit { get; }

    /// <summary>What the call asked for, in the unit of <see cref="Limit"/>.</summary>
    public decimal Requested { get; }

    /// <summary>The window the limit counts over.</summary>
    public TimeSpan Window { get; }

    /// <summary>How long until the call would fit if nothing else were taken; null when it never fits (more than the whole limit).</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>True when the call was refused because the queue of the limit was full.</summary>
    public bool QueueFull { get; }

    private static string Describe(RateLimitKind kind, string partition, decimal limit, decimal requested, TimeSpan window, TimeSpan? retryAfter, bool queueFull)
    {
        var unit = kind switch { RateLimitKind.Requests => "requests", RateLimitKind.Tokens => "tokens", _ => "USD" };
        var head = string.Create(CultureInfo.InvariantCulture, $"Rate limit of {partition}: {limit} {unit} per {window}; this call needs {requested}.");
        if (retryAfter is not { } wait)
        {
            return head + " It is more than the whole limit, so it can never pass: lower the call's max output tokens, or raise the limit (AiOrchestrator:RateLimits:Limits).";
        }

        var queue = queueFull ? " The queue of calls waiting for it is full." : string.Empty;
        return head + queue + string.Create(CultureInfo.InvariantCulture,
            $" Retry after {wait.TotalSeconds:0.###} s, allow waiting (QueueLimit), or raise the limit (AiOrchestrator:RateLimits:Limits).");
    }
}
