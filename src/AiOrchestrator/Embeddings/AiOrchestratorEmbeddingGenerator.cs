using AiOrchestrator.Budgets;
using AiOrchestrator.Metering;
using AiOrchestrator.Pipeline;
using Microsoft.Extensions.AI;

namespace AiOrchestrator.Embeddings;

/// <summary>
/// Runs the per-attempt stages (<see cref="AiStageOrder.PerAttempt"/>: the same budget and metering stages as the
/// chat and <c>HttpClient</c> pipelines) around an embedding call: creates the call object (scope, an input bound of
/// the inputs' UTF-8 bytes, an output cap of zero), begins its one attempt at the model's price, starts the stages
/// (the budget reserves the input bound at the input price, or refuses the call before it is sent), calls the
/// provider, ends the attempt with the usage the provider reported (else the input estimated, flagged and capped at
/// what was reserved) and ends the stages in reverse order (metering records, the budget settles or releases).
/// </summary>
/// <typeparam name="TEmbedding">The embedding type the generator produces.</typeparam>
internal sealed class AiOrchestratorEmbeddingGenerator<TEmbedding> : DelegatingEmbeddingGenerator<string, TEmbedding>
    where TEmbedding : Embedding
{
    private readonly AttemptStage[] _stages;
    private readonly UsageMeter _meter;
    private readonly BudgetStage? _budget;
    private EmbeddingGeneratorMetadata? _metadata;

    /// <param name="innerGenerator">The provider, or the next middleware.</param>
    /// <param name="stages">The per-attempt stages, in order.</param>
    /// <param name="meter">Prices attempts and resolves scopes.</param>
    public AiOrchestratorEmbeddingGenerator(IEmbeddingGenerator<string, TEmbedding> innerGenerator, AttemptStage[] stages, UsageMeter meter)
        : base(innerGenerator)
    {
        _stages = stages ?? throw new ArgumentNullException(nameof(stages));
        _meter = meter ?? throw new ArgumentNullException(nameof(meter));
        _budget = Array.Find(stages, static s => s is BudgetStage) as BudgetStage;
    }

    internal AttemptStage[] Stages => _stages;

    private EmbeddingGeneratorMetadata Metadata
        => _metadata ??= InnerGenerator.GetService<EmbeddingGeneratorMetadata>() ?? new EmbeddingGeneratorMetadata();

    /// <inheritdoc/>
    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return AttemptStages.ServiceOf(serviceType, serviceKey, _meter, _budget) ?? base.GetService(serviceType, serviceKey);
    }

    /// <inheritdoc/>
    public override async Task<GeneratedEmbeddings<TEmbedding>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var inputs = EmbeddingCallValidation.Validate(values);
        var metadata = Metadata;
        var model = options?.ModelId ?? metadata.DefaultModelId ?? throw new InvalidOperationException(
            "The call names no model, so its cost cannot be known. Set EmbeddingGenerationOptions.ModelId, or give the generator a default model.");

        var time = _meter.TimeProvider;
        var now = time.GetUtcNow();
        var provider = _meter.Catalog.ProviderFor(metadata.ProviderName, metadata.ProviderUri);
        var price = _meter.GetPrice(provider, model, now);
        var call = new AiCall(AiCallId.New(now), _meter.ResolveEmbeddingScope(options), new EmbeddingCallRequest(inputs, _meter.TokenCounter), now, streaming: false)
        {
            RequestedModel = model,
            RequestedMaxOutputTokens = 0,
            DefaultMaxOutputTokens = 0,
        };
        var attempt = call.BeginAttempt(provider, model, price, now, time.GetTimestamp());
        await AttemptStages.StartAsync(_stages, attempt, cancellationToken).ConfigureAwait(false);

        GeneratedEmbeddings<TEmbedding> result;
        try
        {
            result = await base.GenerateAsync(inputs, options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            attempt.End(null, default, null, AttemptChatClient.OutcomeOf(ex, cancellationToken), ex.GetType().Name, time.GetElapsedTime(attempt.StartTimestamp), null);
            await AttemptStages.EndAsync(_stages, attempt, _stages.Length).ConfigureAwait(false);
            throw;
        }

        EndWith(call, attempt, result);
        await AttemptStages.EndAsync(_stages, attempt, _stages.Length).ConfigureAwait(false);
        return result;
    }

    /// <summary>Ends the attempt with the usage the response reports, or the input estimate when it reports none.</summary>
    private void EndWith(AiCall call, AiCallAttempt attempt, GeneratedEmbeddings<TEmbedding> result)
    {
        var served = result.Count > 0 ? result[0].ModelId : null;

        // Usage without an input count reports nothing an embedding is charged for: it is estimated.
        var reported = result.Usage is { InputTokenCount: not null } usage ? _meter.Normalise(usage, null, served ?? attempt.Model) : null;
        var estimate = reported is null
            ? AiCallAttempt.EstimateUnreported(CallOutcome.Succeeded, null, 0, sawOutput: true, () => call.Request.CountInputTokens(attempt.Model))
            : default;
        attempt.End(reported, estimate, served, CallOutcome.Succeeded, null, _meter.TimeProvider.GetElapsedTime(attempt.StartTimestamp), null);
    }
}
