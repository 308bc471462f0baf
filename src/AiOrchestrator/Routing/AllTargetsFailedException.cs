namespace AiOrchestrator.Routing;

/// <summary>
/// Thrown when no target of a route could serve a call: each failed with a retryable error or was skipped because its
/// circuit was open. <see cref="Attempts"/> lists every target, in the order tried, and why it did not serve the call.
/// Any budget reservation made for an attempt was released.
/// </summary>
public sealed class AllTargetsFailedException : Exception
{
    /// <summary>Creates the exception for the route <paramref name="alias"/> and its failed attempts.</summary>
    /// <param name="alias">The alias (or model id) the call asked for.</param>
    /// <param name="attempts">The attempts, in order.</param>
    /// <param name="lastError">The last attempt's error, if one was tried.</param>
    public AllTargetsFailedException(string alias, IReadOnlyList<RouteAttempt> attempts, Exception? lastError)
        : base(BuildMessage(alias, attempts), lastError)
    {
        Alias = alias;
        Attempts = attempts;
    }

    /// <summary>The alias (or model id) the call asked for.</summary>
    public string Alias { get; }

    /// <summary>Every target tried or skipped, in order, with the reason it did not serve the call.</summary>
    public IReadOnlyList<RouteAttempt> Attempts { get; }

    /// <summary>
    /// The longest Retry-After any provider gave, or the earliest time a skipped target's circuit closes; null when
    /// nothing said when to come back.
    /// </summary>
    public TimeSpan? RetryAfter
    {
        get
        {
            TimeSpan? longest = null;
            foreach (var attempt in Attempts)
            {
                if (attempt.RetryAfter is { } r && (longest is null || r > longest))
                {
                    longest = r;
                }
            }

            return longest;
        }
    }

    private static string BuildMessage(string alias, IReadOnlyList<RouteAttempt> attempts)
    {
        var text = new System.Text.StringBuilder();
        text.Append("No target of '").Append(alias).Append("' could serve the call (")
            .Append(attempts.Count).Append(attempts.Count == 1 ? " target" : " targets").Append("):");
        foreach (var attempt in attempts)
        {
            text.Append(' ').Append(attempt).Append(';');
        }

        text.Append(" Nothing was charged for the failed attempts beyond what the providers reported. ")
            .Append("Retry later, check the providers' status, or add a target to the route.");
        return text.ToString();
    }
}
