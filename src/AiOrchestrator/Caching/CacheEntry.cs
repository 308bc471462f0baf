namespace AiOrchestrator.Caching;

/// <summary>
/// One cached answer: what it holds and what the call that produced it used, so a hit can be replayed and metered
/// as the cost it avoided.
/// </summary>
[System.Diagnostics.CodeAnalysis.Experimental(AiOrchestrator.Pipeline.AiCall.ExperimentalDiagnosticId)]
public sealed class CacheEntry
{
    /// <summary>What the entry holds.</summary>
    public required CacheEntryKind Kind { get; init; }

    /// <summary>When the answer was produced (UTC).</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>The provider that served it.</summary>
    public string? Provider { get; init; }

    /// <summary>The model that served it.</summary>
    public required string Model { get; init; }

    /// <summary>What the call used.</summary>
    public TokenUsage Usage { get; init; }

    /// <summary>For HTTP entries, the status code of the response.</summary>
    public int StatusCode { get; init; }

    /// <summary>For HTTP entries, the content type of the response.</summary>
    public string? ContentType { get; init; }

    /// <summary>The answer itself: JSON for chat entries, the provider's bytes for HTTP entries.</summary>
    public required byte[] Payload { get; init; }
}
