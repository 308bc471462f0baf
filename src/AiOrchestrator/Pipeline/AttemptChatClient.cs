using System.Runtime.CompilerServices;
using AiOrchestrator.Budgets;
using AiOrchestrator.Metering;
using AiOrchestrator.Tokens;
using Microsoft.Extensions.AI;

namespace AiOrchestrator.Pipeline;

/// <summary>
/// Runs the per-attempt stages (<see cref="AiStageOrder.PerAttempt"/>) around one attempt of a chat call: finds the
/// call object (or creates it when no outer stage did), begins the attempt with its target's price, starts the
/// stages in order (a budget may lower the output cap, which is then sent), calls the provider, reads what the
/// attempt used from the response or the stream (reported usage, else an estimate that the attempt caps at what was
/// reserved), cuts off a budgeted stream that is certainly past its cap, and ends the stages in reverse order. The
/// <c>HttpClient</c> handlers run the same stages over the same call object.
/// </summary>
internal sealed class AttemptChatClient : DelegatingChatClient
{
    private const string CutOffError = "BudgetCutOff";

    private readonly AttemptStage[] _stages;
    private readonly UsageMeter _meter;
    private readonly BudgetStage? _budget;
    private readonly bool _carryCall;
    private ChatClientMetadata? _metadata;

    /// <param name="innerClient">The provider, or the next stage.</param>
    /// <param name="stages">The per-attempt stages this client runs, in order.</param>
    /// <param name="meter">Prices attempts and resolves scopes.</param>
    /// <param name="carryCall">
    /// Pass the call object down in the options: needed when stages are composed one by one (<c>UseBudget</c> over
    /// <c>UseMetering</c>), not when one client runs them all.
    /// </param>
    public AttemptChatClient(IChatClient innerClient, AttemptStage[] stages, UsageMeter meter, bool carryCall = true)
        : base(innerClient)
    {
        _stages = stages;
        _meter = meter;
        _budget = Array.Find(stages, static s => s is BudgetStage) as BudgetStage;
        _carryCall = carryCall;
    }

    internal AttemptStage[] Stages => _stages;

    private string? _provider;
    private bool _providerKnown;

    private ChatClientMetadata Metadata => _metadata ??= InnerClient.GetService<ChatClientMetadata>() ?? new ChatClientMetadata();

    // The provider to price with, resolved once: by the client's endpoint when the catalog knows it, else its reported name.
    private string? Provider
    {
        get
        {
            if (!_providerKnown)
            {
                _provider = _meter.ProviderOf(Metadata);
                _providerKnown = true;
            }

            return _provider;
        }
    }

    /// <summary>Creates the call object of a chat call; the outermost stage that needs it does this once.</summary>
    internal static AiCall CreateCall(IEnumerable<ChatMessage> messages, ChatOptions? options, bool streaming, UsageMeter meter, AiScope? scope, long defaultCap)
    {
        var now = meter.TimeProvider.GetUtcNow();
        return new AiCall(AiCall.IdFor(options, now), scope ?? meter.ResolveScope(options), new ChatCallRequest(messages, options, meter.TokenCounter), now, streaming)
        {
            RequestedModel = options?.ModelId,
            RequestedMaxOutputTokens = options?.MaxOutputTokens,
            DefaultMaxOutputTokens = defaultCap,
        };
    }

    /// <inheritdoc/>
    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return AttemptStages.ServiceOf(serviceType, serviceKey, _meter, _budget) ?? base.GetService(serviceType, serviceKey);
    }

    /// <inheritdoc/>
    public override async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ChatCallValidation.Validate(messages, options);
        var run = await BeginAsync(messages, options, streaming: false, cancellationToken).ConfigureAwait(false);
        var attempt = run.Attempt;
        var time = _meter.TimeProvider;
        ChatResponse response;
        try
        {
            response = await base.GetResponseAsync(messages, run.Options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            attempt.End(null, default, null, OutcomeOf(ex, cancellationToken), ex.GetType().Name, time.GetElapsedTime(attempt.StartTimestamp), null);
            await EndStagesAsync(attempt, _stages.Length).ConfigureAwait(false);
            throw;
        }

        EndWith(run.Call, attempt, response);
        await EndStagesAsync(attempt, _stages.Length).ConfigureAwait(false);
        return response;
    }

    /// <inheritdoc/>
    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ChatCallValidation.Validate(messages, options);

        // Refuse an unpriceable model now, when the caller asks, not when it first reads.
        _ = _meter.GetPrice(Provider, ModelOf(options), _meter.Now);
        return StreamAsync(messages, options, cancellationToken);
    }

    /// <summary>Ends the attempt with what the response reports (kept out of the async method's state).</summary>
    private void EndWith(AiCall call, AiCallAttempt attempt, ChatResponse response)
    {
        if (attempt.HasEnded)
        {
            return;
        }

        var served = response.ModelId ?? attempt.Model;
        var reported = _meter.Normalise(response.Usage, response.RawRepresentation, served);
        var estimate = reported is null
            ? AiCallAttempt.EstimateUnreported(CallOutcome.Succeeded, null, _meter.TokenCounter.CountOutputTokens(response.Text, attempt.Model), sawOutput: true, () => call.Request.CountInputTokens(attempt.Model))
            : default;
        attempt.End(reported, estimate, response.ModelId, CallOutcome.Succeeded, null, _meter.TimeProvider.GetElapsedTime(attempt.StartTimestamp), null);
    }

    /// <summary>How an attempt that threw <paramref name="exception"/> ended: cancelled by its caller, or failed.</summary>
    internal static CallOutcome OutcomeOf(Exception exception, CancellationToken cancellationToken)
        => exception is OperationCanceledException && cancellationToken.IsCancellationRequested ? CallOutcome.Cancelled : CallOutcome.Failed;

    private string ModelOf(ChatOptions? options)
        => options?.ModelId ?? Metadata.DefaultModelId ?? throw new InvalidOperationException(
            "The call names no model, so its cost cannot be known. Set ChatOptions.ModelId, or give the client a default model.");

    private async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var run = await BeginAsync(messages, options, streaming: true, cancellationToken).ConfigureAwait(false);
        var attempt = run.Attempt;
        var time = _meter.TimeProvider;
        var family = TokenizerFamilies.ForModel(attempt.Model);
        var cutOff = attempt.Reservation is not null ? new StreamCutOff(attempt.MaxOutputTokens, family) : null;
        TimeSpan? firstToken = null;
        UsageDetails? reported = null;
        string? servedModel = null;
        object? firstRaw = null;
        object? usageRaw = null;
        var first = true;
        long outputTokens = 0;
        var outcome = CallOutcome.Abandoned;
        string? error = null;
        var wasCutOff = false;

        IAsyncEnumerator<ChatResponseUpdate>? updates = null;
        try
        {
            try
            {
                updates = base.GetStreamingResponseAsync(messages, run.Options, cancellationToken).GetAsyncEnumerator(cancellationToken);
            }
            catch (Exception ex)
            {
                outcome = OutcomeOf(ex, cancellationToken);
                error = ex.GetType().Name;
                throw;
            }

            while (true)
            {
                ChatResponseUpdate update;
                try
                {
                    if (!await updates.MoveNextAsync().ConfigureAwait(false))
                    {
                        outcome = CallOutcome.Succeeded;
                        break;
                    }

                    update = updates.Current;
                }
                catch (Exception ex)
                {
                    outcome = OutcomeOf(ex, cancellationToken);
                    error = ex.GetType().Name;
                    throw;
                }

                servedModel ??= update.ModelId;
                if (first)
                {
                    // The first event (Anthropic's message_start) carries details the usage totals lack.
                    firstRaw = update.RawRepresentation;
                    first = false;
                }

                var overCap = false;
                foreach (var content in update.Contents)
                {
                    switch (content)
                    {
                        case UsageContent usage:
                            reported ??= new UsageDetails();
                            reported.Add(usage.Details);
                            usageRaw = update.RawRepresentation ?? usageRaw;
                            break;
                        case TextContent { Text.Length: > 0 } text:
                            firstToken ??= time.GetElapsedTime(attempt.StartTimestamp);
                            outputTokens += TokenEstimator.EstimateTokens(text.Text, family);
                            overCap |= cutOff?.AddText(text.Text) == true;
                            break;
                        case TextReasoningContent or FunctionCallContent:
                            firstToken ??= time.GetElapsedTime(attempt.StartTimestamp);
                            break;
                    }
                }

                yield return update;
                if (overCap)
                {
                    // The provider ignored the cap: stop reading (it stops generating when the connection closes).
                    wasCutOff = true;
                    error = CutOffError;
                    break;
                }
            }
        }
        finally
        {
            if (updates is not null)
            {
                await updates.DisposeAsync().ConfigureAwait(false);
            }

            if (!attempt.HasEnded)
            {
                var model = servedModel ?? attempt.Model;
                var raw = UsageMeter.RawForStreamUsage(firstRaw, usageRaw);
                var complete = outcome == CallOutcome.Succeeded ? _meter.Normalise(reported, raw, model) : null;
                var estimate = complete is null ? EstimateStream(run.Call, attempt.Model, outputTokens, outcome, reported, raw) : default;
                attempt.End(complete, estimate, servedModel, outcome, error, time.GetElapsedTime(attempt.StartTimestamp), firstToken);
            }

            await EndStagesAsync(attempt, _stages.Length).ConfigureAwait(false);
        }

        if (wasCutOff)
        {
            yield return new ChatResponseUpdate { FinishReason = ChatFinishReason.Length, ModelId = servedModel ?? attempt.Model };
        }
    }

    private TokenUsage EstimateStream(AiCall call, string model, long outputTokens, CallOutcome outcome, UsageDetails? reported, object? firstRaw)
    {
        var partial = reported is null ? null : _meter.Normalise(reported, firstRaw, model);
        return AiCallAttempt.EstimateUnreported(outcome, partial, outputTokens, outputTokens > 0, () => call.Request.CountInputTokens(model));
    }

    /// <summary>Finds or creates the call, begins the attempt and starts the stages; returns the options to send.</summary>
    private async ValueTask<AttemptRun> BeginAsync(IEnumerable<ChatMessage> messages, ChatOptions? options, bool streaming, CancellationToken cancellationToken)
    {
        var metadata = Metadata;
        var model = ModelOf(options);
        var call = AiCall.From(options);
        var owned = false;
        if (call is null)
        {
            // Read per call: the stage's settings can be changed after the pipeline is built.
            call = CreateCall(messages, options, streaming, _meter, scope: null, _budget?.Options.DefaultMaxOutputTokens ?? long.MaxValue);
            owned = true;
        }

        AiCallAttempt attempt;
        var joined = call.LastAttempt is { HasEnded: false } open && string.Equals(open.Model, model, StringComparison.Ordinal);
        if (joined)
        {
            // An outer stage began this attempt (stages composed one by one): run this stage's part of it.
            attempt = call.LastAttempt!;
        }
        else
        {
            var time = _meter.TimeProvider;
            var price = _meter.GetPrice(Provider, model, call.StartedAt);
            attempt = call.BeginAttempt(Provider, model, price, time.GetUtcNow(), time.GetTimestamp());
        }

        await AttemptStages.StartAsync(_stages, attempt, cancellationToken).ConfigureAwait(false);

        var sendOptions = options;
        var cap = attempt.Reservation is not null ? (int?)Math.Min(attempt.MaxOutputTokens, int.MaxValue) : options?.MaxOutputTokens;
        // A budget changes the options sent (the cap), so they are cloned anyway: carry the call for stages further in.
        var attach = owned && _carryCall && _budget is not null;
        if (cap != options?.MaxOutputTokens || attach)
        {
            sendOptions = options?.Clone() ?? new ChatOptions();
            sendOptions.MaxOutputTokens = cap;
            sendOptions.ModelId ??= model;
            if (attach)
            {
                call.AttachTo(sendOptions);
            }
        }

        return new AttemptRun(call, attempt, sendOptions);
    }

    /// <summary>Ends the first <paramref name="count"/> stages, innermost first.</summary>
    private ValueTask EndStagesAsync(AiCallAttempt attempt, int count) => AttemptStages.EndAsync(_stages, attempt, count);

    private readonly record struct AttemptRun(AiCall Call, AiCallAttempt Attempt, ChatOptions? Options);
}
