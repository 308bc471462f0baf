using System.Diagnostics.Metrics;
using AiOrchestrator.Pricing;
using AiOrchestrator.Tokens;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AiOrchestrator.Metering;

/// <summary>
/// Prices what a call used, keeps the usage record and publishes metrics. Shared by every metering stage of an app
/// (one per app, registered by <c>AddAiOrchestrator</c>).
/// </summary>
public sealed partial class UsageMeter : IDisposable
{
    private readonly IUsageStore _store;
    private readonly CostCalculator _pricing;
    private readonly ITokenCounter _tokens;
    private readonly IAiScopeResolver? _scopeResolver;
    private readonly AiScope _defaultScope;
    private readonly UsageMetrics _metrics;
    private readonly ILogger _logger;

    /// <summary>Creates a meter over a store, prices and a token counter.</summary>
    /// <param name="store">Where usage records are kept.</param>
    /// <param name="pricing">Prices usage; its unpriced-model policy applies.</param>
    /// <param name="tokenCounter">Estimates usage when a response reports none.</param>
    /// <param name="defaultScope">The scope of calls that resolve no other scope.</param>
    /// <param name="scopeResolver">An optional resolver asked when a call's options and the ambient scope give none.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="meterFactory">Creates the <c>AiOrchestrator</c> meter; a private meter when null.</param>
    /// <param name="logger">Where warnings about bad usage data go.</param>
    public UsageMeter(
        IUsageStore store,
        CostCalculator pricing,
        ITokenCounter tokenCounter,
        AiScope defaultScope,
        IAiScopeResolver? scopeResolver = null,
        TimeProvider? timeProvider = null,
        IMeterFactory? meterFactory = null,
        ILogger<UsageMeter>? logger = null)
    {
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _pricing = pricing ?? throw new ArgumentNullException(nameof(pricing));
        _tokens = tokenCounter ?? throw new ArgumentNullException(nameof(tokenCounter));
        _defaultScope = defaultScope ?? throw new ArgumentNullException(nameof(defaultScope));
        _scopeResolver = scopeResolver;
        TimeProvider = timeProvider ?? TimeProvider.System;
        _metrics = new UsageMetrics(meterFactory);
        _logger = logger ?? NullLogger<UsageMeter>.Instance;
    }

    /// <summary>The clock used for timestamps and latencies.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>The store usage records are kept in.</summary>
    public IUsageStore Store => _store;

    /// <summary>Resolves the scope of a call: its options, the ambient scope, the resolver, then the default.</summary>
    public AiScope ResolveScope(ChatOptions? options)
        => AiCallContext.Get(options)?.Scope ?? ScopeResolution.Resolve(options, _scopeResolver, _defaultScope);

    /// <summary>
    /// Checks, before a call is sent, that its model can be priced; throws <see cref="UnpricedModelException"/>
    /// under the default policy, so no call is made that could not be costed.
    /// </summary>
    public void EnsurePriced(string? provider, string? model)
    {
        if (model is null)
        {
            throw new InvalidOperationException(
                "The call names no model, so its cost cannot be known. Set ChatOptions.ModelId, or give the client a default model.");
        }

        _ = _pricing.GetPrice(provider, model, TimeProvider.GetUtcNow());
    }

    internal TokenUsage Estimate(IEnumerable<ChatMessage> messages, ChatOptions? options, string? model, string? outputText, long outputTokensCounted)
    {
        var input = _tokens.CountInputTokens(messages, options, model);
        var output = outputText is null ? outputTokensCounted : _tokens.CountOutputTokens(outputText, model);
        return new TokenUsage { InputTokens = input, OutputTokens = output, IsEstimated = true };
    }

    internal TokenUsage? Normalise(UsageDetails? details, object? rawRepresentation, string? model)
    {
        if (details is null)
        {
            return null;
        }

        try
        {
            return details.ToTokenUsage(rawRepresentation);
        }
        catch (InvalidUsageException ex)
        {
            LogBadUsage(_logger, ex, model ?? "(unknown)");
            return null;
        }
    }

    internal UsageRecord Record(in MeteredCall call)
    {
        var cost = default(CallCost);
        if (call.Usage.InputTokens != 0 || call.Usage.OutputTokens != 0)
        {
            cost = _pricing.Calculate(call.Provider, call.Model, call.Usage, call.Started);
        }

        var record = new UsageRecord
        {
            Id = UsageRecordId.Next(call.Started),
            Timestamp = call.Started,
            Scope = call.Scope,
            Provider = call.Provider,
            Model = call.Model,
            Route = call.Context?.Route,
            Usage = call.Usage,
            Cost = cost.Cost,
            UsedFallbackPrice = cost.UsedFallbackPrice,
            Streaming = call.Streaming,
            Latency = call.Latency,
            TimeToFirstToken = call.TimeToFirstToken,
            Outcome = call.Outcome,
            Error = call.Error,
        };

        _store.Append(record);
        _metrics.Record(record);
        if (call.Context is { } context)
        {
            context.Provider = call.Provider;
            context.Model = call.Model;
            context.Usage = call.Usage;
            context.Cost = cost.Cost;
        }

        return record;
    }

    /// <inheritdoc/>
    public void Dispose() => _metrics.Dispose();

    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "The provider's usage for model {Model} is invalid; the call's usage is estimated instead.")]
    private static partial void LogBadUsage(ILogger logger, Exception exception, string model);
}
