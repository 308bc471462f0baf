using System.Text.Json;
using AiOrchestrator.Budgets;
using AiOrchestrator.Http.Caching;
using AiOrchestrator.Http.Safety;
using AiOrchestrator.Http.Wire;
using AiOrchestrator.Metering;
using AiOrchestrator.Pipeline;
using AiOrchestrator.Safety;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AiOrchestrator.Http.Pipeline;

/// <summary>
/// The shared stages (<see cref="AiStageOrder.PerAttempt"/>: budget, then metering) as one named HttpClient runs
/// them: starts a call from a request body, and begins each attempt (price, stage starts, the output cap written
/// into the body when a budget lowered or set it).
/// </summary>
internal sealed class HttpPipeline
{
    private readonly AiScope _defaultScope;
    private readonly AiHttpHandlerOptions _options;
    private readonly long _defaultCap;

    /// <param name="meter">Prices attempts and resolves scopes.</param>
    /// <param name="stages">The per-attempt stages, in order.</param>
    /// <param name="defaultScope">The scope of requests that resolve none.</param>
    /// <param name="options">The client's handler options.</param>
    /// <param name="budgetDefaultMaxOutputTokens">The budget stage's default cap, used when the options set none.</param>
    /// <param name="logger">Where the handlers log.</param>
    /// <param name="cache">The response cache, when one is registered.</param>
    /// <param name="safety">The safety guard, when one is registered: input checked and redacted before anything else reads the body.</param>
    public HttpPipeline(UsageMeter meter, AttemptStage[] stages, AiScope defaultScope, AiHttpHandlerOptions options, int budgetDefaultMaxOutputTokens = 4096, ILogger? logger = null, AiOrchestrator.Caching.AiResponseCache? cache = null, SafetyGuard? safety = null)
    {
        Meter = meter;
        Cache = cache;
        Safety = safety;
        Stages = stages;
        _defaultScope = defaultScope;
        _options = options;
        Logger = logger ?? NullLogger.Instance;
        _defaultCap = Array.Exists(stages, static s => s.Name == AiStageOrder.Budget)
            ? options.DefaultMaxOutputTokens ?? budgetDefaultMaxOutputTokens
            : long.MaxValue;
    }

    public UsageMeter Meter { get; }

    /// <summary>The response cache the outer handler consults, or null.</summary>
    public AiOrchestrator.Caching.AiResponseCache? Cache { get; }

    /// <summary>The safety guard the outer handler runs on request and answer bodies, or null.</summary>
    public SafetyGuard? Safety { get; }

    public AttemptStage[] Stages { get; }

    public ILogger Logger { get; }

    /// <summary>Creates the pipeline of a named client from the app's services.</summary>
    /// <exception cref="InvalidOperationException">The AiOrchestrator services are not registered.</exception>
    public static HttpPipeline Create(IServiceProvider services, string clientName)
    {
        var meter = services.GetService<UsageMeter>() ?? throw new InvalidOperationException(
            "AddAiOrchestratorHandler needs the AiOrchestrator services, which are not registered. Call services.AddAiOrchestrator() (and services.AddBudgetLedger(...) for budgets) when configuring services.");
        var options = services.GetRequiredService<IOptionsMonitor<AiHttpHandlerOptions>>().Get(clientName);
        var pipeline = AttemptStages.OptionsFrom(services);
        return new HttpPipeline(
            meter,
            AttemptStages.Create(services, pipeline),
            services.GetRequiredService<IOptions<AiOrchestratorOptions>>().Value.DefaultScope,
            options,
            pipeline.Budget.DefaultMaxOutputTokens,
            services.GetService<ILoggerFactory>()?.CreateLogger("AiOrchestrator.Http"),
            pipeline.EnableCache ? services.GetService<AiOrchestrator.Caching.AiResponseCache>() : null,
            pipeline.EnableSafety ? services.GetService<SafetyGuard>() : null);
    }

    /// <summary>
    /// Starts a call for <paramref name="request"/>: reads its body once and resolves its scope. With a safety guard,
    /// the body's texts are checked first and a redacted body replaces the request's content, so the cache key, the
    /// token estimate and the provider only see placeholders.
    /// </summary>
    /// <exception cref="InvalidOperationException">The body is not JSON or names no model.</exception>
    /// <exception cref="SafetyPolicyViolationException">The safety policy blocks the call; nothing is reserved or sent.</exception>
    public async Task<HttpCall> StartAsync(HttpRequestMessage request, WireFormat format, CancellationToken cancellationToken)
    {
        RequestFacts facts;
        var scope = request.Options.TryGetValue(AiRequestOptions.Scope, out var given) && given is not null
            ? given.WithDefaults(_defaultScope)
            : Meter.ResolveScope(null);
        HttpCachePlan? cachePlan = null;
        RedactionSession? redaction = null;

        // The call's id is chosen first, so the safety decisions, the usage records and the audit entries share it.
        var callId = AiCallId.New(Meter.TimeProvider.GetUtcNow());
        var body = await PooledBuffer.CopyAsync(request.Content!, cancellationToken).ConfigureAwait(false);
        try
        {
            ReadOnlyMemory<byte> bytes = body.WrittenMemory;
            if (Safety is not null)
            {
                var (session, redacted) = await RequestSafety.CheckAsync(Safety, bytes, format, scope, callId, cancellationToken).ConfigureAwait(false);
                redaction = session;
                if (redacted is not null)
                {
                    request.Content = ResponseSafety.Replace(request.Content!, redacted);
                    bytes = redacted;
                }
            }

            facts = RequestReader.Read(bytes.Span);
            if (Cache is not null && facts.Model is { } named)
            {
                cachePlan = HttpCachePlan.For(Cache, request, scope, named, facts.Stream, bytes.Span);
            }
        }
        catch (JsonException ex)
        {
            throw new InvalidOperationException(
                $"The body of the request to {request.RequestUri} is not a JSON object ({ex.Message}), so its model and max tokens cannot be read and its cost cannot be known. Send the provider's JSON request body.", ex);
        }
        finally
        {
            await body.DisposeAsync().ConfigureAwait(false);
        }

        var model = facts.Model ?? throw new InvalidOperationException(
            $"The request to {request.RequestUri} names no model, so its cost cannot be known. Set the body's \"model\" field.");
        if (facts.MaxOutputTokens is <= 0)
        {
            throw new InvalidOperationException(
                $"The request to {request.RequestUri} sets its max tokens to {facts.MaxOutputTokens}; it must be at least 1. Remove the field to use the default cap.");
        }

        var provider = LlmEndpoint.ProviderOf(request.RequestUri, format, _options.Provider, Meter.Catalog);
        var now = Meter.TimeProvider.GetUtcNow();
        var call = new AiCall(callId, scope, new HttpCallRequest(facts), now, facts.Stream)
        {
            RequestedModel = model,
            RequestedMaxOutputTokens = facts.MaxOutputTokens,
            DefaultMaxOutputTokens = _defaultCap,
        };
        return new HttpCall(call, format, provider, facts) { Cache = cachePlan, Redaction = redaction };
    }

    /// <summary>
    /// Begins an attempt of <paramref name="call"/>: prices its model, starts the stages in order (a budget reserves
    /// and may lower the cap) and writes the attempt's cap into the request body when a budget set it.
    /// </summary>
    /// <exception cref="Pricing.UnpricedModelException">The model has no price and the policy rejects it.</exception>
    /// <exception cref="BudgetExceededException">A wallet of the scope cannot cover the worst-case cost.</exception>
    public async Task<AttemptRun> BeginAttemptAsync(HttpCall call, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var time = Meter.TimeProvider;
        var price = Meter.GetPrice(call.Provider, call.Model, call.Call.StartedAt);
        var attempt = call.Call.BeginAttempt(call.Provider, call.Model, price, time.GetUtcNow(), time.GetTimestamp());
        await AttemptStages.StartAsync(Stages, attempt, cancellationToken).ConfigureAwait(false);

        if (attempt.Reservation is not null && attempt.MaxOutputTokens != call.Facts.MaxOutputTokens)
        {
            await MaxTokensField.WriteAsync(request, call.Format, attempt.MaxOutputTokens, cancellationToken).ConfigureAwait(false);
        }

        return new AttemptRun(this, call, attempt);
    }
}
