using System.Diagnostics.Metrics;
using AiOrchestrator.Pipeline;
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
    private int _auditFailureLogged;
    private readonly HashSet<string> _unpricedServed = new(StringComparer.Ordinal);
    private const int MaxRememberedUnpriced = 1024;

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
        => AiCall.From(options)?.Scope ?? ScopeResolution.Resolve(options, _scopeResolver, _defaultScope);

    /// <summary>Resolves the scope of an embedding call, in the same order as a chat call's.</summary>
    internal AiScope ResolveEmbeddingScope(EmbeddingGenerationOptions? options) => ScopeResolution.ResolveEmbedding(options, _scopeResolver, _defaultScope);

    /// <summary>The scope of calls that resolve no other scope.</summary>
    internal AiScope DefaultScope => _defaultScope;

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

    /// <summary>The provider a client's calls are priced and recorded under: by its endpoint when the catalog knows it, else the name it reports.</summary>
    /// <summary>The price catalog in use.</summary>
    public AiOrchestrator.Pricing.PriceCatalog Catalog => _pricing.Catalog;

    internal string? ProviderOf(ChatClientMetadata metadata) => _pricing.Catalog.ProviderFor(metadata.ProviderName, metadata.ProviderUri);

    /// <summary>The clock's timestamp now.</summary>
    internal DateTimeOffset Now => TimeProvider.GetUtcNow();

    /// <summary>The price of <paramref name="model"/> at <paramref name="at"/>, after the unpriced-model policy.</summary>
    /// <exception cref="UnpricedModelException">No price is known and the policy rejects the model.</exception>
    [System.Diagnostics.CodeAnalysis.Experimental(AiCall.ExperimentalDiagnosticId)]
    public ModelPrice GetPrice(string? provider, string model, DateTimeOffset at) => _pricing.GetPrice(provider, model, at);

    internal CostCalculator Pricing => _pricing;

    internal ITokenCounter TokenCounter => _tokens;

    /// <summary>
    /// The raw stream event to read usage details from: the first event when it carries usage (Anthropic's
    /// <c>message_start</c>, with the cache-write split), else the event that carried the usage (OpenAI's last chunk,
    /// with cache writes, image tokens and compatible servers' citations and searches).
    /// </summary>
    internal static object? RawForStreamUsage(object? firstRaw, object? usageRaw)
        => firstRaw is not null && (usageRaw is null || ReferenceEquals(firstRaw, usageRaw) || RawUsage.Read(firstRaw) is not null) ? firstRaw : usageRaw;

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

    /// <summary>Logs usage a provider reported that cannot be used (the attempt is then estimated).</summary>
    [System.Diagnostics.CodeAnalysis.Experimental(AiCall.ExperimentalDiagnosticId)]
    public void ReportBadUsage(InvalidUsageException exception, string? provider, string model)
        => LogBadProviderUsage(_logger, exception, provider ?? "(unknown)", model);

    /// <summary>Keeps the usage record of an attempt that has ended, at the cost the attempt's pricing rule gives.</summary>
    internal UsageRecord Record(AiCallAttempt attempt)
    {
        var cost = attempt.GetCost(_pricing);
        if (attempt.PricedAsRequestedModel && FirstTimeUnpriced(attempt.ServedModel ?? attempt.Model))
        {
            LogPricedAsRequested(_logger, attempt.ServedModel ?? attempt.Model, attempt.Model);
        }

        if (attempt.CostDetail is { } detail)
        {
            if (detail.UsedFallbackProvider && FirstTimeUnpriced("fallback-provider:" + attempt.Provider + "/" + detail.Price.ModelId))
            {
                LogPricedFromOtherList(_logger, attempt.Provider ?? "(none named)", attempt.Model, detail.Price.Provider, detail.Price.Source);
            }

            if (!detail.IsComplete && FirstTimeUnpriced("incomplete:" + detail.Price.Provider + "/" + detail.Price.ModelId))
            {
                LogIncompletePrice(
                    _logger,
                    detail.Price.Provider,
                    detail.Price.ModelId,
                    string.Join(", ", detail.UnpricedUnits),
                    string.Join(", ", detail.UnreportedUnits.Select(u => u.Id)));
            }
        }

        var record = new UsageRecord
        {
            Id = UsageRecordId.Next(attempt.StartedAt),
            CallId = attempt.Call.Id.Value,
            Timestamp = attempt.StartedAt,
            Scope = attempt.Call.Scope,
            Provider = attempt.Provider,
            Model = attempt.PricedAsRequestedModel ? attempt.Model : attempt.ServedModel ?? attempt.Model,
            Route = attempt.Route,
            Usage = attempt.Usage,
            Cost = cost,
            InputCost = attempt.CostDetail?.InputCost ?? 0m,
            OutputCost = attempt.CostDetail?.OutputCost ?? 0m,
            OtherCost = attempt.CostDetail?.OtherCost ?? 0m,
            UsedFallbackProvider = attempt.CostDetail?.UsedFallbackProvider ?? attempt.Price.Source is AiOrchestrator.Pricing.PriceSource.FallbackProvider or AiOrchestrator.Pricing.PriceSource.ModelMaker,
            UnpricedUnits = attempt.CostDetail is { UnpricedUnits.Count: > 0 } d ? string.Join(',', d.UnpricedUnits) : null,
            UsedFallbackPrice = attempt.UsedFallbackPrice,
            PricedAsRequestedModel = attempt.PricedAsRequestedModel,
            Streaming = attempt.Call.Streaming,
            Latency = attempt.Latency,
            TimeToFirstToken = attempt.TimeToFirstToken,
            Outcome = attempt.Outcome,
            Error = attempt.Error,
        };

        Keep(record);
        return record;
    }

    /// <summary>
    /// Keeps the record of a call the response cache answered: cost zero, and the cost it avoided (its usage at the
    /// price in effect now), under the call's id and scope.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.Experimental(AiCall.ExperimentalDiagnosticId)]
    public UsageRecord RecordCacheHit(AiCall call, string? provider, string model, in TokenUsage usage, TimeSpan latency, bool semantic)
    {
        ArgumentNullException.ThrowIfNull(call);
        return RecordCacheHit(call.Id, call.StartedAt, call.Scope, call.Streaming, provider, model, usage, latency, semantic);
    }

    /// <summary>Records a hit for a call that never needed its call object (it was answered before any attempt).</summary>
    internal UsageRecord RecordCacheHit(AiCallId callId, DateTimeOffset startedAt, AiScope scope, bool streaming, string? provider, string model, in TokenUsage usage, TimeSpan latency, bool semantic)
    {
        var now = TimeProvider.GetUtcNow();
        var avoided = 0m;
        var currency = Money.DefaultCurrency;
        try
        {
            var price = _pricing.GetPrice(provider, model, now);
            currency = price.Currency;
            avoided = price.CalculateCost(usage).Amount;
        }
        catch (Exception ex) when (ex is AiOrchestrator.Pricing.UnpricedModelException or InvalidUsageException)
        {
            // The hit is still recorded; what it saved is unknown (zero).
        }

        var record = new UsageRecord
        {
            Id = UsageRecordId.Next(startedAt),
            CallId = callId.Value,
            Timestamp = startedAt,
            Scope = scope,
            Provider = provider,
            Model = model,
            Usage = usage,
            Cost = new Money(0m, currency),
            CacheHit = true,
            CostAvoided = avoided,
            Streaming = streaming,
            Latency = latency,
            Outcome = CallOutcome.Succeeded,
            SemanticCacheHit = semantic,
        };
        Keep(record);
        if (Audit is { } sink)
        {
            // Both pipelines record their hits here, so both audit them here.
            var entry = new AiOrchestrator.Audit.AuditEvent(AiOrchestrator.Audit.AuditEntryKind.CacheHit, callId)
            {
                Scope = scope,
                Provider = provider,
                Model = model,
                Attributes = AiOrchestrator.Audit.AuditAttributes.Of(AiOrchestrator.Audit.AuditAttributeKey.Rule, semantic ? "semantic-cache" : "exact-cache"),
            };
            AiOrchestrator.Audit.AuditStage.Append(sink, entry, _logger, ref _auditFailureLogged);
        }

        return record;
    }

    /// <summary>Where cache hits are audited, when an audit log is registered.</summary>
    internal AiOrchestrator.Audit.IAuditSink? Audit { get; init; }

    /// <summary>Keeps the record of an attempt a stage refused before it was sent (it cost nothing).</summary>
    internal void RecordRefused(AiCallAttempt attempt, string error)
    {
        Keep(new UsageRecord
        {
            Id = UsageRecordId.Next(attempt.StartedAt),
            CallId = attempt.Call.Id.Value,
            Timestamp = attempt.StartedAt,
            Scope = attempt.Call.Scope,
            Provider = attempt.Provider,
            Model = attempt.Model,
            Route = attempt.Route,
            Cost = new Money(0m, attempt.Price.Currency),
            Streaming = attempt.Call.Streaming,
            Outcome = CallOutcome.Rejected,
            Error = error,
        });
    }

    /// <summary>True the first time a served model is found unpriced (a deployment name recurs on every call: warn once).</summary>
    private bool FirstTimeUnpriced(string servedModel)
    {
        lock (_unpricedServed)
        {
            // Bounded: past the cap, every further name is reported (rare: the cap is far above real model counts).
            return _unpricedServed.Count >= MaxRememberedUnpriced || _unpricedServed.Add(servedModel);
        }
    }

    private void Keep(UsageRecord record)
    {
        _store.Append(record);
        _metrics.Record(record);
    }

    /// <inheritdoc/>
    public void Dispose() => _metrics.Dispose();

    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "The provider's usage for model {Model} is invalid; the call's usage is estimated instead.")]
    private static partial void LogBadUsage(ILogger logger, Exception exception, string model);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "The usage {Provider} reported for model {Model} is invalid; the attempt's usage is estimated instead.")]
    private static partial void LogBadProviderUsage(ILogger logger, Exception exception, string provider, string model);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Information, Message = "Model {Model} from provider {Provider} is priced from {PriceProvider}'s list ({Source}); its records say so (UsedFallbackProvider). Add a price override to price it under {Provider} itself. Logged once per provider and model.")]
    private static partial void LogPricedFromOtherList(ILogger logger, string provider, string model, string priceProvider, AiOrchestrator.Pricing.PriceSource source);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Warning, Message = "The price of {Provider}/{Model} does not cover everything its calls use: units counted without a price: [{UnpricedUnits}] (left out of the cost, and listed in each record's UnpricedUnits); priced units the usage cannot carry: [{UnreportedUnits}] (priced as their nearest priced ancestor). Add a price under Units in the price override. Logged once per model.")]
    private static partial void LogIncompletePrice(ILogger logger, string provider, string model, string unpricedUnits, string unreportedUnits);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "The provider answered with model {ServedModel}, which the catalog cannot price; its calls are priced as {RequestedModel}, the model they asked for, and their records say so (PricedAsRequestedModel). Add a price override for {ServedModel} to price it itself. Logged once per model.")]
    private static partial void LogPricedAsRequested(ILogger logger, string servedModel, string requestedModel);
}
