using AiOrchestrator.Embeddings;
using AiOrchestrator.Metering;
using AiOrchestrator.Pipeline;

namespace Microsoft.Extensions.AI;

/// <summary>Adds the AiOrchestrator pipeline to an embedding generator.</summary>
public static class AiOrchestratorEmbeddingGeneratorBuilderExtensions
{
    /// <summary>
    /// Runs every call through the same per-attempt stages as the chat pipeline, in the order
    /// <see cref="AiStageOrder"/> keeps: the budget stage (when <c>AddBudgetLedger</c> registered a ledger) reserves
    /// the worst case (the inputs' UTF-8 bytes at the input price) before the call is sent and settles its cost after,
    /// and metering keeps one usage record per call. Routing does not apply to embeddings. The model is
    /// <see cref="EmbeddingGenerationOptions.ModelId"/>, else the generator's default model; the scope comes from
    /// <see cref="EmbeddingGenerationOptions.AdditionalProperties"/> (<c>AiScopeKeys</c>), the ambient scope, the
    /// registered resolver or the default scope. Needs <c>services.AddAiOrchestrator()</c>.
    /// </summary>
    /// <typeparam name="TEmbedding">The embedding type the generator produces.</typeparam>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="configure">Changes the stages' settings, which start from the registered options and configuration.</param>
    /// <example><c>services.AddEmbeddingGenerator(generator).UseAiOrchestrator()</c></example>
    public static EmbeddingGeneratorBuilder<string, TEmbedding> UseAiOrchestrator<TEmbedding>(
        this EmbeddingGeneratorBuilder<string, TEmbedding> builder, Action<AiPipelineOptions>? configure = null)
        where TEmbedding : Embedding
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((innerGenerator, services) =>
        {
            var meter = MeteringChatClientBuilderExtensions.Required<UsageMeter>(services);
            var pipeline = AttemptStages.OptionsFrom(services);
            configure?.Invoke(pipeline);
            pipeline.Budget.Validate();
            return new AiOrchestratorEmbeddingGenerator<TEmbedding>(innerGenerator, AttemptStages.Create(services, pipeline), meter);
        });
    }
}
