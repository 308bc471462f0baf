using System.Net.Http.Headers;
using AiOrchestrator;
using AiOrchestrator.Budgets;
using AiOrchestrator.Ledger;
using AiOrchestrator.Ledger.Client;
using AiOrchestrator.Ledger.Client.Http;
using AiOrchestrator.Ledger.Client.Leases;
using AiOrchestrator.Ledger.Client.Outbox;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Polly;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Makes the budget stage spend organisation-wide budgets from the AiOrchestrator ledger service.</summary>
public static class LedgerClientServiceCollectionExtensions
{
    /// <summary>
    /// Budgets come from the ledger at <paramref name="url"/>: the budget stage spends from leases of the
    /// organisation's wallets, and usage is uploaded from a durable outbox in the local store. Call after
    /// <c>services.AddAiOrchestrator(...)</c>; the background work runs as a hosted service.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="url">The ledger's base address.</param>
    /// <param name="apiKey">A client key of <paramref name="organisation"/>.</param>
    /// <param name="organisation">The organisation whose wallets this process spends from.</param>
    public static IServiceCollection UseLedger(this IServiceCollection services, Uri url, string apiKey, string organisation)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentException.ThrowIfNullOrWhiteSpace(apiKey);
        ArgumentException.ThrowIfNullOrWhiteSpace(organisation);
        return UseLedger(services, options =>
        {
            options.Url = url;
            options.ApiKey = apiKey;
            options.Organisation = organisation;
        });
    }

    /// <summary>Budgets come from the ledger service, with options set by <paramref name="configure"/> (validated at start).</summary>
    public static IServiceCollection UseLedger(this IServiceCollection services, Action<LedgerClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<LedgerClientOptions>().Configure(configure);
        return AddLedger(services);
    }

    /// <summary>
    /// Budgets come from the ledger service, with options bound strictly from the <c>AiOrchestrator:Ledger</c> section of
    /// <paramref name="configuration"/> (an unknown key or an unconvertible value fails start-up, naming the key), then
    /// validated at start.
    /// </summary>
    public static IServiceCollection UseLedger(this IServiceCollection services, IConfiguration configuration)
        => UseLedger(services, configuration, null);

    /// <summary>
    /// Budgets come from the ledger service, with options bound strictly from the <c>AiOrchestrator:Ledger</c> section of
    /// <paramref name="configuration"/> (an unknown key or an unconvertible value fails start-up, naming the key), then
    /// adjusted by <paramref name="configure"/>.
    /// </summary>
    public static IServiceCollection UseLedger(this IServiceCollection services, IConfiguration configuration, Action<LedgerClientOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var options = services.AddOptions<LedgerClientOptions>()
            .BindStrictly(configuration, LedgerClientOptions.SectionName, "services.UseLedger(configuration)");
        if (configure is not null)
        {
            options.Configure(configure);
        }

        return AddLedger(services);
    }

    private static IServiceCollection AddLedger(IServiceCollection services)
    {
        services.AddOptions<LedgerClientOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LedgerClientOptions>, LedgerClientOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddHttpClient(LedgerHttpClient.ClientName, static (sp, client) =>
            {
                var options = Options(sp);
                var url = options.Url!.AbsoluteUri;
                client.BaseAddress = new Uri(url.EndsWith('/') ? url : url + "/");
                client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(LedgerRoutes.AuthenticationScheme, options.ApiKey);
                client.Timeout = Timeout.InfiniteTimeSpan;
            })
            .AddResilienceHandler("ledger", static (builder, context) => Resilience(builder, Options(context.ServiceProvider)));
        services.TryAddSingleton(static sp => new LedgerClientMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.TryAddSingleton(static sp => new UsageOutbox(
            sp.GetService<IOptions<AiOrchestratorOptions>>()?.Value.StorePath ?? "aiorchestrator.db",
            Options(sp).Source,
            (ILogger?)sp.GetService<ILogger<UsageOutbox>>() ?? NullLogger.Instance));
        services.TryAddSingleton(static sp => new LeasedBudgetLedger(
            Options(sp),
            new LedgerHttpClient(sp.GetRequiredService<IHttpClientFactory>().CreateClient(LedgerHttpClient.ClientName), Options(sp).Organisation!),
            sp.GetRequiredService<UsageOutbox>(),
            sp.GetRequiredService<TimeProvider>(),
            (ILogger?)sp.GetService<ILogger<LeasedBudgetLedger>>() ?? NullLogger.Instance,
            sp.GetRequiredService<LedgerClientMetrics>()));

        // The budget stage reserves on this instead of the local ledger.
        services.RemoveAll<IBudgetReservations>();
        services.AddSingleton<IBudgetReservations>(static sp => sp.GetRequiredService<LeasedBudgetLedger>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, LedgerSyncService>(static sp => new LedgerSyncService(
            sp.GetRequiredService<LeasedBudgetLedger>(),
            Options(sp),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<LedgerSyncService>>() ?? NullLogger<LedgerSyncService>.Instance)));
        return services;
    }

    /// <summary>
    /// Short timeouts, and retries only for requests the ledger applies once however often they arrive (reads, and
    /// mutations that carry an Idempotency-Key); the circuit breaker sends calls to the fallback at once while the
    /// ledger is down.
    /// </summary>
    private static void Resilience(ResiliencePipelineBuilder<HttpResponseMessage> builder, LedgerClientOptions options)
    {
        var strategy = new HttpStandardResilienceOptions();
        strategy.AttemptTimeout.Timeout = options.RequestTimeout;
        strategy.TotalRequestTimeout.Timeout = options.RequestTimeout * 3;
        strategy.CircuitBreaker.SamplingDuration = options.RequestTimeout * 2 > TimeSpan.FromSeconds(5) ? options.RequestTimeout * 2 : TimeSpan.FromSeconds(5);
        strategy.CircuitBreaker.BreakDuration = options.RetryUnreachableAfter > TimeSpan.FromSeconds(0.5) ? options.RetryUnreachableAfter : TimeSpan.FromSeconds(0.5);
        strategy.Retry.MaxRetryAttempts = 2;
        strategy.Retry.Delay = TimeSpan.FromMilliseconds(50);
        var transient = strategy.Retry.ShouldHandle;
        strategy.Retry.ShouldHandle = args =>
        {
            var request = args.Context.GetRequestMessage();
            var retryable = request is not null
                && (request.Method == HttpMethod.Get || request.Headers.Contains(LedgerRoutes.IdempotencyKeyHeader));
            return retryable ? transient(args) : PredicateResult.False();
        };

        builder.AddTimeout(strategy.TotalRequestTimeout)
            .AddRetry(strategy.Retry)
            .AddCircuitBreaker(strategy.CircuitBreaker)
            .AddTimeout(strategy.AttemptTimeout);
    }

    private static LedgerClientOptions Options(IServiceProvider services) => services.GetRequiredService<IOptions<LedgerClientOptions>>().Value;
}
