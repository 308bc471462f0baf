using AiOrchestrator;
using AiOrchestrator.Audit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the audit log.</summary>
[System.Diagnostics.CodeAnalysis.Experimental(AiOrchestrator.Pipeline.AiCall.ExperimentalDiagnosticId)]
public static class AuditServiceCollectionExtensions
{
    /// <summary>
    /// Registers a singleton <see cref="AuditLog"/> (also as <see cref="IAuditSink"/>, what pipeline stages append
    /// to) with <see cref="AuditOptions"/> from the <c>AiOrchestrator:Audit</c> section of
    /// <paramref name="configuration"/> (when given, bound strictly: an unknown key or a value that cannot be
    /// converted fails start-up) and then <paramref name="configure"/>. The options are validated on start.
    /// </summary>
    public static IServiceCollection AddAuditLog(this IServiceCollection services, IConfiguration? configuration = null, Action<AuditOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<AuditOptions>();
        if (configuration is not null)
        {
            options.BindStrictly(configuration, AuditOptions.SectionName, "services.AddAuditLog(configuration)");
        }

        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AuditOptions>, AuditOptionsValidator>());
        services.TryAddSingleton(static sp => new AuditLog(
            sp.GetRequiredService<IOptions<AuditOptions>>().Value,
            signingKey: null,
            sp.GetService<TimeProvider>(),
            sp.GetService<ILogger<AuditLog>>(),
            sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.TryAddSingleton<IAuditSink>(static sp => sp.GetRequiredService<AuditLog>());
        return services;
    }
}
