namespace AiOrchestrator.Embeddings.Local;

/// <summary>Settings of a <see cref="LocalEmbeddingGenerator"/>.</summary>
public sealed class LocalEmbeddingGeneratorOptions
{
    /// <summary>The most inputs run through the model at once (default 32). Larger batches pad more; smaller ones
    /// check cancellation more often.</summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>
    /// The threads ONNX Runtime uses inside one model run; <see langword="null"/> (the default) lets ONNX Runtime
    /// choose (one per physical core). Set it to 1 when many calls run at once, to avoid oversubscribing the CPU.
    /// </summary>
    public int? IntraOpNumThreads { get; set; }

    internal void Validate()
    {
        if (BatchSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "BatchSize must be at least 1.");
        }

        if (IntraOpNumThreads is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(IntraOpNumThreads), IntraOpNumThreads, "IntraOpNumThreads must be at least 1, or null to let ONNX Runtime choose.");
        }
    }
}
