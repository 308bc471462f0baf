using System.Numerics.Tensors;
using AiOrchestrator.Embeddings.Local;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DocSnippets;

public static class LocalEmbeddingSnippets
{
    public static async Task RegisterAndCompareAsync(string[] args)
    {
        #region embeddings-local-setup
        var builder = Host.CreateApplicationBuilder(args);
        // The model ships inside the package: no download, no API key, no network.
        builder.Services.AddLocalEmbeddingGenerator();

        using var app = builder.Build();
        var embeddings = app.Services.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();

        var vectors = await embeddings.GenerateAsync(["How do I reset my password?", "What are the steps to change my password?"]);
        // 384 dimensions, unit length: the cosine similarity is the dot product.
        float similarity = TensorPrimitives.Dot(vectors[0].Vector.Span, vectors[1].Vector.Span);
        Console.WriteLine($"similarity {similarity:F2}, {vectors.Usage?.InputTokenCount} tokens read");
        #endregion
    }

    public static async Task<ReadOnlyMemory<float>> WithoutContainerAsync(CancellationToken cancellationToken)
    {
        #region embeddings-local-direct
        // One instance per process: it is thread-safe and holds the model (about 90 MB).
        using var generator = new LocalEmbeddingGenerator(new LocalEmbeddingGeneratorOptions { BatchSize = 16, IntraOpNumThreads = 1 });
        var vector = await generator.GenerateVectorAsync("Where is my invoice?", cancellationToken: cancellationToken);
        #endregion
        return vector;
    }
}
