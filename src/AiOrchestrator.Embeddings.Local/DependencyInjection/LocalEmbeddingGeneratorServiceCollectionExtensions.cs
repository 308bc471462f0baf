using AiOrchestrator.Embeddings.Local;
using Microsoft.Extensions.AI;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the offline <see cref="LocalEmbeddingGenerator"/>.</summary>
public static class LocalEmbeddingGeneratorServiceCollectionExtensions
{
    /// <summary>
    /// Registers a <see cref="LocalEmbeddingGenerator"/> as the singleton
    /// <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> of <see cref="string"/> and
    /// <see cref="Embedding{T}"/> of <see cref="float"/>. The model is loaded when the generator is first resolved,
    /// and freed when the service provider is disposed.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Changes the batch size or the ONNX Runtime threads.</param>
    /// <returns>The pipeline builder, to add middleware such as <c>UseDistributedCache()</c> or <c>UseAiOrchestrator()</c>.</returns>
    /// <example><c>services.AddLocalEmbeddingGenerator();</c></example>
    public static EmbeddingGeneratorBuilder<string, Embedding<float>> AddLocalEmbeddingGenerator(
        this IServiceCollection services, Action<LocalEmbeddingGeneratorOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = new LocalEmbeddingGeneratorOptions();
        configure?.Invoke(options);
        options.Validate();
        return services.AddEmbeddingGenerator(_ => new LocalEmbeddingGenerator(options), ServiceLifetime.Singleton);
    }
}
