namespace AiOrchestrator.Caching;

/// <summary>
/// The semantic cache: after an exact miss, a request whose last user message is close enough in meaning to a stored
/// one (same partition, model, options, instructions and earlier messages) gets the stored answer. Off by default; it
/// needs an <c>IEmbeddingGenerator&lt;string, Embedding&lt;float&gt;&gt;</c> in the services (the offline one of
/// <c>AiOrchestrator.Embeddings.Local</c> works). Part of <see cref="AiCacheOptions"/> (<c>AiOrchestrator:Cache:Semantic</c>).
/// </summary>
public sealed class SemanticCacheOptions
{
    /// <summary>Turns the semantic cache on. Default false.</summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// The cosine similarity a stored request needs to answer a new one. The default, 0.85, was chosen from measured
    /// precision and recall (docs/caching-evaluation.md: 75 % of paraphrases hit, 0.1 % false hits, where 0.70 is the
    /// lowest threshold meeting the goal; the margin is for unrelated questions on one topic, which that set has few
    /// of); a hit also needs the numbers, negations and names of both requests to agree, and no small edit of a
    /// content word between them.
    /// </summary>
    public float Threshold { get; set; } = 0.85f;

    /// <summary>The most requests the index keeps, across partitions; the least recently used go first. Default 50,000.</summary>
    public int MaxEntries { get; set; } = 50_000;

    /// <summary>The most requests one partition keeps; defaults to <see cref="MaxEntries"/>.</summary>
    public int? MaxEntriesPerPartition { get; set; }
}
