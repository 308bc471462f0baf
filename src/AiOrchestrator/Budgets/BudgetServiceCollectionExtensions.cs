using AiOrchestrator.Budgets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the local budget ledger.</summary>
public static class BudgetServiceCollectionExtensions
{
    /// <summary>
    /// Registers a singleton <see cref="BudgetLedger"/> (also as <see cref="IBudgetLedger"/>) whose options are read
    /// from the <c>AiOrchestrator:Budgets</c> section of <paramref name="configuration"/> (when given) and then
    /// <paramref name="configure"/>. The options are validated on start.
    /// </summary>
    public static IServiceCollection AddBudgetLedger(this IServiceCollection services, IConfiguration? configuration = null, Action<BudgetOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<BudgetOptions>();
        if (configuration is not null)
        {
            options.Bind(configuration.GetSection(BudgetOptions.SectionName));
        }

        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<BudgetOptions>, BudgetOptionsValidator>());
        services.TryAddSingleton(static sp => new BudgetLedger(
            sp.GetRequiredService<IOptions<BudgetOptions>>().Value,
            sp.GetService<TimeProvider>(),
            sp.GetService<ILogger<BudgetLedger>>()));
        services.TryAddSingleton<IBudgetLedger>(static sp => sp.GetRequiredService<BudgetLedger>());
        return services;
    }
}
