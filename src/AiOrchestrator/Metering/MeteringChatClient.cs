using System.Runtime.CompilerServices;
using AiOrchestrator.Tokens;
using Microsoft.Extensions.AI;

namespace AiOrchestrator.Metering;

/// <summary>
/// Meters every call that passes through it, streamed or not: one <see cref="UsageRecord"/> per call with its
/// scope, provider, model, normalised tokens, exact cost, latency, time to first token and outcome.
/// </summary>
/// <remarks>
/// Usage comes from the response (<see cref="ChatResponse.Usage"/>, or <see cref="UsageContent"/> in a stream); when
/// the provider reports none, the tokenizer estimates it and the record says so. A model that cannot be priced is
/// refused before the call is sent (under the default unpriced-model policy). Place it innermost, next to the
/// provider, so that every attempt that reaches the provider is metered.
/// </remarks>
public sealed class MeteringChatClient : DelegatingChatClient
{
    private readonly UsageMeter _meter;
    private ChatClientMetadata? _metadata;

    /// <summary>Creates the middleware over <paramref name="innerClient"/>.</summary>
    public MeteringChatClient(IChatClient innerClient, UsageMeter meter)
        : base(innerClient)
    {
        _meter = meter ?? throw new ArgumentNullException(nameof(meter));
    }

    private ChatClientMetadata Metadata => _metadata ??= InnerClient.GetService<ChatClientMetadata>() ?? new ChatClientMetadata();

    /// <inheritdoc/>
    public override async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var context = AiCallContext.Get(options);
        var scope = context?.Scope ?? _meter.ResolveScope(options);
        var metadata = Metadata;
        var requestedModel = options?.ModelId ?? metadata.DefaultModelId;
        _meter.EnsurePriced(metadata.ProviderName, requestedModel);

        var time = _meter.TimeProvider;
        var started = time.GetUtcNow();
        var startTimestamp = time.GetTimestamp();
        ChatResponse response;
        try
        {
            response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            var outcome = ex is OperationCanceledException && cancellationToken.IsCancellationRequested ? CallOutcome.Cancelled : CallOutcome.Failed;
            _meter.Record(new MeteredCall(scope, context, metadata.ProviderName, requestedModel!, default, started,
                time.GetElapsedTime(startTimestamp), null, false, outcome, ex.GetType().Name));
            throw;
        }

        var latency = time.GetElapsedTime(startTimestamp);
        var model = response.ModelId ?? requestedModel!;
        var usage = _meter.Normalise(response.Usage, response.RawRepresentation, model)
            ?? _meter.Estimate(messages, options, model, response.Text, 0);
        _meter.Record(new MeteredCall(scope, context, metadata.ProviderName, model, usage, started, latency, null, false, CallOutcome.Succeeded, null));
        return response;
    }

    /// <inheritdoc/>
    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var metadata = Metadata;
        var requestedModel = options?.ModelId ?? metadata.DefaultModelId;

        // Refuse an unpriceable model now, when the caller asks, not when it first reads.
        _meter.EnsurePriced(metadata.ProviderName, requestedModel);
        return StreamAsync(messages, options, metadata, requestedModel!, cancellationToken);
    }

    /// <inheritdoc/>
    public override object? GetService(Type serviceType, object? serviceKey = null)
        => serviceKey is null && serviceType == typeof(UsageMeter) ? _meter : base.GetService(serviceType, serviceKey);

    private async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options, ChatClientMetadata metadata, string requestedModel,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var context = AiCallContext.Get(options);
        var scope = context?.Scope ?? _meter.ResolveScope(options);
        var time = _meter.TimeProvider;
        var started = time.GetUtcNow();
        var startTimestamp = time.GetTimestamp();
        TimeSpan? firstToken = null;
        UsageDetails? reported = null;
        string? responseModel = null;
        object? firstRaw = null;
        var first = true;
        long outputTokensSeen = 0;
        var family = TokenizerFamilies.ForModel(requestedModel);
        var outcome = CallOutcome.Abandoned;
        string? error = null;

        IAsyncEnumerator<ChatResponseUpdate>? enumerator = null;
        try
        {
            enumerator = base.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
            while (true)
            {
                ChatResponseUpdate update;
                try
                {
                    if (!await enumerator.MoveNextAsync().ConfigureAwait(false))
                    {
                        outcome = CallOutcome.Succeeded;
                        break;
                    }

                    update = enumerator.Current;
                }
                catch (Exception ex)
                {
                    outcome = ex is OperationCanceledException && cancellationToken.IsCancellationRequested ? CallOutcome.Cancelled : CallOutcome.Failed;
                    error = ex.GetType().Name;
                    throw;
                }

                responseModel ??= update.ModelId;
                if (first)
                {
                    // The first event (Anthropic's message_start) carries details the usage totals lack.
                    firstRaw = update.RawRepresentation;
                    first = false;
                }

                foreach (var content in update.Contents)
                {
                    switch (content)
                    {
                        case UsageContent usageContent:
                            reported ??= new UsageDetails();
                            reported.Add(usageContent.Details);
                            break;
                        case TextContent text when text.Text.Length > 0:
                            firstToken ??= time.GetElapsedTime(startTimestamp);
                            outputTokensSeen += TokenEstimator.EstimateTokens(text.Text, family);
                            break;
                        case TextReasoningContent or FunctionCallContent:
                            firstToken ??= time.GetElapsedTime(startTimestamp);
                            break;
                    }
                }

                yield return update;
            }
        }
        finally
        {
            if (enumerator is not null)
            {
                await enumerator.DisposeAsync().ConfigureAwait(false);
            }

            var model = responseModel ?? requestedModel;
            var usage = (outcome == CallOutcome.Succeeded ? _meter.Normalise(reported, firstRaw, model) : null)
                ?? EstimateStream(messages, options, model, outputTokensSeen, outcome, reported, firstRaw);
            _meter.Record(new MeteredCall(scope, context, metadata.ProviderName, model, usage, started,
                time.GetElapsedTime(startTimestamp), firstToken, true, outcome, error));
        }
    }

    private TokenUsage EstimateStream(IEnumerable<ChatMessage> messages, ChatOptions? options, string model, long outputTokensSeen, CallOutcome outcome, UsageDetails? reported, object? firstRaw)
    {
        // A stream that failed before any output cost nothing; otherwise the provider bills what it generated.
        if (outcome is CallOutcome.Failed or CallOutcome.Cancelled && outputTokensSeen == 0 && reported is null)
        {
            return default;
        }

        // A partial report (Anthropic's message_start) still gives exact input counts; keep them.
        var partial = _meter.Normalise(reported, firstRaw, model);
        if (partial is { } p && p.InputTokens > 0)
        {
            return p with { OutputTokens = Math.Max(p.OutputTokens, outputTokensSeen), IsEstimated = true };
        }

        return _meter.Estimate(messages, options, model, null, outputTokensSeen);
    }
}
