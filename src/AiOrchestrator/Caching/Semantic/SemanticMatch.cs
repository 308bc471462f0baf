namespace AiOrchestrator.Caching.Semantic;

/// <summary>The entry a <see cref="SemanticIndex"/> lookup found: its key and its cosine similarity to the query.</summary>
/// <param name="EntryKey">The key the entry was added with (it names the cached response).</param>
/// <param name="Similarity">The cosine similarity of the query and the entry, in [-1, 1] up to rounding.</param>
internal readonly record struct SemanticMatch(string EntryKey, float Similarity);
