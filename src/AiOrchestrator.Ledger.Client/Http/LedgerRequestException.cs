namespace AiOrchestrator.Ledger.Client;

/// <summary>
/// A request to the ledger failed: it could not be reached (connection refused, timeout, a 5xx answer) or it
/// refused the request with an RFC 9457 problem, whose fields this carries.
/// </summary>
public sealed class LedgerRequestException : Exception
{
    /// <summary>Creates the exception for a request that could not reach the ledger.</summary>
    public LedgerRequestException(string message, Exception? innerException)
        : base(message, innerException)
    {
        Extensions = new Dictionary<string, string>();
    }

    /// <summary>Creates the exception for a problem the ledger answered with.</summary>
    public LedgerRequestException(string message, int statusCode, string? problemType, string? title, string? detail, IReadOnlyDictionary<string, string>? extensions)
        : base(message)
    {
        StatusCode = statusCode;
        ProblemType = problemType;
        Title = title;
        Detail = detail;
        Extensions = extensions ?? new Dictionary<string, string>();
    }

    /// <summary>Creates the exception with a message.</summary>
    public LedgerRequestException()
        : this("The ledger request failed.", null)
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public LedgerRequestException(string message)
        : this(message, null)
    {
    }

    /// <summary>The HTTP status the ledger answered with; null when it was not reached.</summary>
    public int? StatusCode { get; }

    /// <summary>
    /// True when the ledger was not reached, failed on its side (5xx), or asked to be asked again later (408, 429, or
    /// a request with the same Idempotency-Key still in progress): the request may be retried later, and until then
    /// the ledger counts as unreachable.
    /// </summary>
    public bool IsUnreachable => StatusCode is null or >= 500 or 408 or 429
        || (StatusCode == 409 && ProblemType is { } type && type.EndsWith("idempotency-in-progress", StringComparison.Ordinal));

    /// <summary>The problem's <c>type</c>.</summary>
    public string? ProblemType { get; }

    /// <summary>The problem's <c>title</c>.</summary>
    public string? Title { get; }

    /// <summary>The problem's <c>detail</c>: what was wrong and what to do.</summary>
    public string? Detail { get; }

    /// <summary>The problem's other members (such as <c>expectedSequence</c>), as their JSON text (strings unquoted).</summary>
    public IReadOnlyDictionary<string, string> Extensions { get; }
}
