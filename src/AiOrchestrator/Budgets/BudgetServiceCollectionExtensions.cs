using AiOrchestrator;
using AiOrchestrator.Budgets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the local budget ledger.</summary>
public static partial class BudgetServiceCollectionExtensions
{
    /// <summary>The <see cref="BudgetOptions.StorePath"/> that keeps the ledger in memory only (nothing survives a restart).</summary>
    internal const string InMemory = ":memory:";

    /// <summary>
    /// Registers a singleton <see cref="BudgetLedger"/> (also as <see cref="IBudgetLedger"/>) whose options are read
    /// from the <c>AiOrchestrator:Budgets</c> section of <paramref name="configuration"/> (when given) and then
    /// <paramref name="configure"/>. The options are validated on start; binding is strict: when a configuration is
    /// given, a missing section, an unknown key or a value that cannot be converted (such as a wallet's
    /// <c>"Limit": "1 USD"</c>) fails start-up with a message that names the key.
    /// </summary>
    /// <remarks>
    /// Budgets are durable by default: when <see cref="BudgetOptions.StorePath"/> is not set, the journal is a file
    /// beside the usage store (<c>AiOrchestrator:StorePath</c>), <c>data/aiorchestrator.db</c> giving
    /// <c>data/aiorchestrator.budgets.journal</c>. Set it to <c>:memory:</c> to keep the ledger in memory only; it is
    /// in memory too when the usage store is. Where the journal is, is logged at start.
    /// </remarks>
    public static IServiceCollection AddBudgetLedger(this IServiceCollection services, IConfiguration? configuration = null, Action<BudgetOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<BudgetOptions>();
        if (configuration is not null)
        {
            options.BindStrictly(configuration, BudgetOptions.SectionName, "services.AddBudgetLedger(configuration)");
        }

        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<BudgetOptions>, BudgetOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<BudgetOptions>, DurableByDefault>());
        services.TryAddSingleton(static sp =>
        {
            var options = sp.GetRequiredService<IOptions<BudgetOptions>>().Value;
            var logger = sp.GetService<ILogger<BudgetLedger>>();
            if (logger is not null)
            {
                LogStore(logger, options.StorePath, UsageStorePath(sp));
            }

            return new BudgetLedger(options, sp.GetService<TimeProvider>(), logger, sp.GetService<System.Diagnostics.Metrics.IMeterFactory>())
            {
#pragma warning disable AIOEXP001
                Audit = sp.GetService<AiOrchestrator.Audit.IAuditSink>(),
#pragma warning restore AIOEXP001
            };
        });
        services.TryAddSingleton<IBudgetLedger>(static sp => sp.GetRequiredService<BudgetLedger>());
        return services;
    }

    /// <summary>
    /// The journal path the ledger uses: <paramref name="configured"/> when set (null for <c>:memory:</c>), else a file
    /// beside the usage store, else (the usage store being in memory) null.
    /// </summary>
    internal static string? JournalPath(string? configured, string? usageStorePath)
    {
        if (configured is not null)
        {
            return configured == InMemory ? null : configured;
        }

        if (string.IsNullOrWhiteSpace(usageStorePath) || usageStorePath == InMemory)
        {
            return null;
        }

        var directory = Path.GetDirectoryName(usageStorePath) ?? string.Empty;
        return Path.Combine(directory, Path.GetFileNameWithoutExtension(usageStorePath) + ".budgets.journal");
    }

    private static string? UsageStorePath(IServiceProvider services)
        => services.GetService<IOptions<AiOrchestratorOptions>>()?.Value.StorePath;

    private static void LogStore(ILogger logger, string? journal, string? usageStore)
    {
        if (journal is not null)
        {
            var fullPath = Path.GetFullPath(journal);
            LogJournal(logger, fullPath);
        }
        else if (usageStore is null or InMemory)
        {
            LogInMemoryWithUsageStore(logger);
        }
        else
        {
            LogInMemory(logger);
        }
    }

    [LoggerMessage(EventId = 3110, Level = LogLevel.Information, Message = "Budget journal: {Path}. Spend and reservations are kept there across restarts.")]
    private static partial void LogJournal(ILogger logger, string path);

    [LoggerMessage(EventId = 3111, Level = LogLevel.Information, Message = "Budgets are kept in memory (AiOrchestrator:Budgets:StorePath is ':memory:'): spend and reservations are lost when the process stops, and every wallet starts the next run unspent. Set AiOrchestrator:Budgets:StorePath to a file to keep them.")]
    private static partial void LogInMemory(ILogger logger);

    [LoggerMessage(EventId = 3112, Level = LogLevel.Information, Message = "Budgets are kept in memory because the usage store is (AiOrchestrator:StorePath is ':memory:'): spend and reservations are lost when the process stops, and every wallet starts the next run unspent. Set AiOrchestrator:Budgets:StorePath to a file to keep budgets across restarts.")]
    private static partial void LogInMemoryWithUsageStore(ILogger logger);

    /// <summary>Puts the journal beside the usage store when no StorePath is set, and reads <c>:memory:</c> as in memory.</summary>
    private sealed class DurableByDefault(IServiceProvider services) : IPostConfigureOptions<BudgetOptions>
    {
        public void PostConfigure(string? name, BudgetOptions options)
        {
            options.StorePath = options.StorePath switch
            {
                null => JournalPath(null, UsageStorePath(services)),
                InMemory => null,
                var path => path,
            };
        }
    }
}
