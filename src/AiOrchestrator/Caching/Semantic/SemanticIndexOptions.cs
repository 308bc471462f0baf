namespace AiOrchestrator.Caching.Semantic;

/// <summary>
/// Options of a <see cref="SemanticIndex"/>, bindable from configuration (section <see cref="SectionName"/>); checked by
/// <see cref="SemanticIndexOptionsValidator"/>, which the index runs when it is constructed.
/// </summary>
internal sealed class SemanticIndexOptions
{
    /// <summary>The configuration section the options are read from.</summary>
    public const string SectionName = "AiOrchestrator:SemanticCache:Index";

    /// <summary>The largest <see cref="Dimensions"/> accepted.</summary>
    public const int MaxDimensions = 4096;

    /// <summary>
    /// The length of every vector (required, 1 to 4,096): the output size of the embedding model, for example 384 for
    /// all-MiniLM-L6-v2 or 1,536 for text-embedding-3-small.
    /// </summary>
    public int Dimensions { get; set; }

    /// <summary>
    /// The most entries kept across all partitions; 50,000 by default. When full, adding evicts the least recently used
    /// entry. Memory is about <c>Dimensions × 5</c> bytes per entry plus the key.
    /// </summary>
    public int MaxEntries { get; set; } = 50_000;

    /// <summary>
    /// The most entries kept in one partition (one tenant, model and option set); null (the default) means
    /// <see cref="MaxEntries"/>. When a partition is full, adding to it evicts its least recently used entry, so one busy
    /// tenant cannot push every other tenant out.
    /// </summary>
    public int? MaxEntriesPerPartition { get; set; }

    /// <summary>
    /// How long an entry may be returned after it was added (or replaced); null (the default) keeps entries until they
    /// are evicted or removed. Expired entries are never returned and are dropped lazily, when the index is next written.
    /// </summary>
    public TimeSpan? EntryLifetime { get; set; }

    /// <summary>The per-partition cap in force: <see cref="MaxEntriesPerPartition"/>, or <see cref="MaxEntries"/> when unset.</summary>
    internal int EffectiveMaxEntriesPerPartition => Math.Min(MaxEntriesPerPartition ?? MaxEntries, MaxEntries);
}
