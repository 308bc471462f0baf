namespace AiOrchestrator.Caching;

/// <summary>What a cache entry holds.</summary>
[System.Diagnostics.CodeAnalysis.Experimental(AiOrchestrator.Pipeline.AiCall.ExperimentalDiagnosticId)]
public enum CacheEntryKind : byte
{
    /// <summary>A chat response (M.E.AI JSON).</summary>
    ChatResponse = 1,

    /// <summary>A streamed chat response: its updates in order (M.E.AI JSON array).</summary>
    ChatStream = 2,

    /// <summary>An HTTP response body as the provider sent it.</summary>
    HttpBody = 3,

    /// <summary>An HTTP server-sent event stream as the provider sent it.</summary>
    HttpStream = 4,
}
