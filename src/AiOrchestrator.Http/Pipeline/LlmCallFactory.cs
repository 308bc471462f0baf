using System.Text.Json;
using AiOrchestrator.Budgets;
using AiOrchestrator.Http.Wire;
using AiOrchestrator.Metering;
using AiOrchestrator.Pricing;
using AiOrchestrator.Tokens;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AiOrchestrator.Http.Pipeline;

/// <summary>
/// Starts an <see cref="LlmCall"/> from a request: reads the body once, resolves the scope, prices the model, and
/// reserves the worst-case cost when a budget ledger is registered and the scope has wallets.
/// </summary>
internal sealed class LlmCallFactory
{
    private readonly UsageMeter _meter;
    private readonly CostCalculator _pricing;
    private readonly AiScope _defaultScope;
    private readonly IBudgetLedger? _ledger;
    private readonly AiHttpHandlerOptions _options;
    private readonly ILogger _logger;

    public LlmCallFactory(UsageMeter meter, CostCalculator pricing, AiScope defaultScope, IBudgetLedger? ledger, AiHttpHandlerOptions options, ILogger? logger = null)
    {
        _meter = meter;
        _pricing = pricing;
        _defaultScope = defaultScope;
        _ledger = ledger;
        _options = options;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Creates the factory of a named client from the app's services.</summary>
    /// <exception cref="InvalidOperationException">The AiOrchestrator services are not registered.</exception>
    public static LlmCallFactory Create(IServiceProvider services, string clientName)
    {
        var meter = services.GetService<UsageMeter>() ?? throw new InvalidOperationException(
            "AddAiOrchestratorHandler needs the AiOrchestrator services, which are not registered. Call services.AddAiOrchestrator() (and services.AddBudgetLedger(...) for budgets) when configuring services.");
        return new LlmCallFactory(
            meter,
            services.GetRequiredService<CostCalculator>(),
            services.GetRequiredService<IOptions<AiOrchestratorOptions>>().Value.DefaultScope,
            services.GetService<IBudgetLedger>(),
            services.GetRequiredService<IOptionsMonitor<AiHttpHandlerOptions>>().Get(clientName),
            services.GetService<ILoggerFactory>()?.CreateLogger("AiOrchestrator.Http"));
    }

    /// <summary>Starts a call for <paramref name="request"/>.</summary>
    /// <exception cref="InvalidOperationException">The body is not JSON or names no model.</exception>
    /// <exception cref="UnpricedModelException">The model has no price and the policy rejects it.</exception>
    /// <exception cref="BudgetExceededException">A wallet of the scope cannot cover the worst-case cost.</exception>
    public async Task<LlmCall> StartAsync(HttpRequestMessage request, WireFormat format, bool reserve, CancellationToken cancellationToken)
    {
        RequestFacts facts;
        var body = await PooledBuffer.CopyAsync(request.Content!, cancellationToken).ConfigureAwait(false);
        try
        {
            facts = RequestReader.Read(body.Written);
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
        var provider = LlmEndpoint.ProviderOf(request.RequestUri, format, _options.Provider);
        var scope = request.Options.TryGetValue(AiRequestOptions.Scope, out var given) && given is not null
            ? given.WithDefaults(_defaultScope)
            : _meter.ResolveScope(null);
        var price = _pricing.GetPrice(provider, model, _meter.TimeProvider.GetUtcNow());
        var call = new LlmCall(
            _meter, _logger, scope, format, provider, model, price,
            facts.InputTokens(TokenizerFamilies.ForModel(model)),
            facts.MaxOutputTokens ?? _options.DefaultMaxOutputTokens,
            facts.MaxOutputTokens is not null);

        if (reserve && _ledger is not null)
        {
            var wallets = _ledger.GetWalletPath(scope);
            if (wallets.Count > 0)
            {
                await call.ReserveAsync(_ledger, wallets, cancellationToken).ConfigureAwait(false);
            }
        }

        return call;
    }
}
