namespace AiOrchestrator.Caching;

/// <summary>
/// One cached answer: what it holds and what the call that produced it used, so a hit can be replayed and metered
/// as the cost it avoided.
/// </summary>
/// <remarks>
/// An entry never changes once made: the in-process level hands the same instance to every hit (no copy, no parse),
/// and every hit builds fresh response objects from it for its caller.
/// </remarks>
[System.Diagnostics.CodeAnalysis.Experimental(AiOrchestrator.Pipeline.AiCall.ExperimentalDiagnosticId)]
[System.ComponentModel.ImmutableObject(true)]
public sealed class CacheEntry
{
    private byte[]? _payload;
    private object? _replay;

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

    /// <summary>
    /// The answer itself: JSON for chat entries, the provider's bytes for HTTP entries. Do not modify it: the entry is
    /// shared by every hit.
    /// </summary>
    public byte[] Payload
    {
        get => _payload ??= Snapshot?.ToJson() ?? [];
        init => _payload = value;
    }

    /// <summary>A chat answer captured as plain facts (its JSON <see cref="Payload"/> is then written only when needed).</summary>
    internal ChatSnapshot? Snapshot { get; init; }

    /// <summary>What a hit replays from, decoded once per entry: a <see cref="ChatSnapshot"/>, or the parsed JSON.</summary>
    internal object? Replay
    {
        get => Volatile.Read(ref _replay);
        set => Volatile.Write(ref _replay, value);
    }
}
