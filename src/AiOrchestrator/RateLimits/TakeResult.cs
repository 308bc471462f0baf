namespace AiOrchestrator.RateLimits;

/// <summary>What one limit said to a request for permits.</summary>
internal enum TakeResult
{
    /// <summary>Counted.</summary>
    Taken,

    /// <summary>Does not fit now, and the caller does not wait (no waiter, or a queue limit of 0).</summary>
    Refused,

    /// <summary>The caller's waiter is in this limit's queue.</summary>
    Queued,

    /// <summary>Does not fit now and the queue is full.</summary>
    QueueFull,

    /// <summary>More than the whole limit: it never fits.</summary>
    NeverFits,

    /// <summary>The partition was dropped as idle; resolve it again.</summary>
    Retired,
}
