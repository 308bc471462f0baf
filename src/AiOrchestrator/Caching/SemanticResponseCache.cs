using AiOrchestrator.Caching.Semantic;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace AiOrchestrator.Caching;

/// <summary>
/// The semantic side of the response cache: embeds a request's last user message, finds the nearest stored request
/// in the same semantic partition, and checks that their numbers, negations and names agree (embeddings score such
/// near-misses as paraphrases). Its failures (the embedding generator throwing, returning a wrong dimension) never fail
/// a call: they are logged once and counted, and the call goes on as an exact-cache miss.
/// </summary>
internal sealed partial class SemanticResponseCache : IDisposable
{
    private readonly IEmbeddingGenerator<string, Embedding<float>> _generator;
    private readonly SemanticCacheOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly CacheMetrics _metrics;
    private readonly object _gate = new();
    private SemanticIndex? _index;
    private int _logged;

    public SemanticResponseCache(IEmbeddingGenerator<string, Embedding<float>> generator, SemanticCacheOptions options, TimeProvider time, ILogger logger, CacheMetrics metrics)
    {
        _generator = generator;
        _options = options;
        _time = time;
        _logger = logger;
        _metrics = metrics;
    }

    public float Threshold => _options.Threshold;

    internal SemanticIndex? Index => _index;

    /// <summary>The request's embedding, or null when the generator fails (logged once, counted).</summary>
    public async ValueTask<float[]?> EmbedAsync(string text, CancellationToken cancellationToken)
    {
        try
        {
            var embeddings = await _generator.GenerateAsync([text], cancellationToken: cancellationToken).ConfigureAwait(false);
            var vector = embeddings.Count == 1 ? embeddings[0].Vector.ToArray() : null;
            if (vector is null || vector.Length == 0 || (_index is { } index && vector.Length != index.Dimensions))
            {
                Failed("dimension", $"the embedding generator returned {(vector is null ? "no vector" : $"a vector of {vector.Length} dimensions")}{(_index is { } i ? $" where the index holds {i.Dimensions}" : string.Empty)}");
                return null;
            }

            return vector;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Failed("embedding", ex.GetType().Name + ": " + ex.Message);
            return null;
        }
    }

    /// <summary>The exact-cache key of the nearest stored request that may answer this one, or null.</summary>
    public string? FindAnswerKey(string partition, float[] vector, string text)
    {
        var index = _index;
        if (index is null || !index.TryFindNearest(partition, vector, _options.Threshold, out var match))
        {
            return null;
        }

        var split = match.EntryKey.IndexOf('\n', StringComparison.Ordinal);
        return split > 0 && SemanticGuard.Agree(match.EntryKey[(split + 1)..], SemanticGuard.Signature(text)) ? match.EntryKey[..split] : null;
    }

    /// <summary>Remembers a stored answer's request under its exact-cache key.</summary>
    public void Remember(string partition, float[] vector, string text, string exactKey)
    {
        try
        {
            IndexFor(vector.Length).Add(partition, vector, exactKey + "\n" + SemanticGuard.Signature(text));
        }
        catch (ArgumentException ex)
        {
            Failed("index", ex.Message);
        }
    }

    /// <summary>Drops the remembered requests of partitions that <paramref name="predicate"/> selects.</summary>
    public void Forget(Func<string, bool> predicate) => _index?.RemovePartitions(predicate);

    public void Dispose() => _index?.Dispose();

    private SemanticIndex IndexFor(int dimensions)
    {
        if (_index is { } index)
        {
            return index;
        }

        lock (_gate)
        {
            return _index ??= new SemanticIndex(
                new SemanticIndexOptions { Dimensions = dimensions, MaxEntries = _options.MaxEntries, MaxEntriesPerPartition = _options.MaxEntriesPerPartition },
                _time);
        }
    }

    private void Failed(string kind, string detail)
    {
        _metrics.Error("semantic_" + kind);
        if (Interlocked.Increment(ref _logged) <= 8)
        {
            LogSemanticFailure(_logger, detail);
        }
    }

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning, Message = "The semantic cache could not be used ({Detail}); the call goes on without it. Counted in aiorchestrator.cache.errors; logged for the first failures only.")]
    private static partial void LogSemanticFailure(ILogger logger, string detail);
}
