using AiOrchestrator;
using AiOrchestrator.Metering;
using AiOrchestrator.Pricing;
using AiOrchestrator.Tokens;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers AiOrchestrator in a service collection.</summary>
public static class AiOrchestratorServiceCollectionExtensions
{
    /// <summary>The sections inside <c>AiOrchestrator</c> that other registrations bind, and the call that binds each.</summary>
    private static readonly Dictionary<string, string> Subsections = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Budgets"] = "services.AddBudgetLedger(configuration)",
        ["Routing"] = "services.AddModelRouting(configuration)",
        ["HttpClients"] = "services.AddHttpClient(name).AddAiOrchestratorHandler(configuration)",
        ["Cache"] = "services.AddAiCache(configuration)",
        ["RateLimits"] = "services.AddRateLimits(configuration)",
        ["Audit"] = "services.AddAuditLog(configuration)",
        ["Safety"] = "services.AddSafety(configuration)",
        ["Ledger"] = "services.UseLedger(configuration)",
    };

    /// <summary>
    /// Registers AiOrchestrator with default options: prices, token counting, the local usage store and the usage
    /// meter. Options are validated when the host starts.
    /// </summary>
    public static IServiceCollection AddAiOrchestrator(this IServiceCollection services) => AddAiOrchestrator(services, (Action<AiOrchestratorOptions>?)null);

    /// <summary>
    /// Registers AiOrchestrator: prices, token counting, the local usage store and the usage meter, with options
    /// from <paramref name="configure"/>. Options are validated when the host starts.
    /// </summary>
    public static IServiceCollection AddAiOrchestrator(this IServiceCollection services, Action<AiOrchestratorOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<AiOrchestratorOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        return AddCore(services);
    }

    /// <summary>
    /// Registers AiOrchestrator with options bound from <paramref name="configuration"/>: its <c>AiOrchestrator</c>
    /// section, or the configuration itself when it is a section. Binding is strict: a missing section, an unknown key
    /// or a value that cannot be converted fails start-up with a message that names the key.
    /// </summary>
    public static IServiceCollection AddAiOrchestrator(this IServiceCollection services, IConfiguration configuration)
        => AddAiOrchestrator(services, configuration, null);

    /// <summary>
    /// Registers AiOrchestrator with options bound from <paramref name="configuration"/> (its <c>AiOrchestrator</c>
    /// section, or the configuration itself when it is a section), then adjusted by <paramref name="configure"/>.
    /// Binding is strict: a missing section, an unknown key or a value that cannot be converted fails start-up with a
    /// message that names the key.
    /// </summary>
    public static IServiceCollection AddAiOrchestrator(this IServiceCollection services, IConfiguration configuration, Action<AiOrchestratorOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var options = services.AddOptions<AiOrchestratorOptions>()
            .BindStrictly(configuration, AiOrchestratorOptions.SectionName, "services.AddAiOrchestrator(configuration)", Subsections);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        return AddCore(services);
    }

    private static IServiceCollection AddCore(IServiceCollection services)
    {
        services.AddOptions<AiOrchestratorOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AiOrchestratorOptions>, AiOrchestratorOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new CostCalculator(Options(sp).Pricing));
        services.TryAddSingleton<ITokenCounter>(sp => TokenCounter.For(Options(sp).TokenCounting));
        services.TryAddSingleton<IUsageStore>(sp => new LiteDbUsageStore(Options(sp).StorePath, sp.GetService<ILogger<LiteDbUsageStore>>(), Options(sp).UsageRetention));
        services.TryAddSingleton(sp => new UsageMeter(
            sp.GetRequiredService<IUsageStore>(),
            sp.GetRequiredService<CostCalculator>(),
            sp.GetRequiredService<ITokenCounter>(),
            Options(sp).DefaultScope,
            sp.GetService<IAiScopeResolver>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<System.Diagnostics.Metrics.IMeterFactory>(),
            sp.GetService<ILogger<UsageMeter>>())
        {
#pragma warning disable AIOEXP001
            Audit = sp.GetService<AiOrchestrator.Audit.IAuditSink>(),
#pragma warning restore AIOEXP001
        });
        return services;
    }

    private static AiOrchestratorOptions Options(IServiceProvider services) => services.GetRequiredService<IOptions<AiOrchestratorOptions>>().Value;
}
