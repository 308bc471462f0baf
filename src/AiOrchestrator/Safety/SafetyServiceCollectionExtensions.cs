using AiOrchestrator;
using AiOrchestrator.Safety;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the safety engine.</summary>
public static class SafetyServiceCollectionExtensions
{
    /// <summary>
    /// Registers the safety engine: <see cref="SafetyOptions"/> (from the <c>AiOrchestrator:Safety</c> section of
    /// <paramref name="configuration"/> when given, checked strictly at start), the <see cref="SensitiveDataScanner"/>
    /// (with every <see cref="ISensitiveDataDetector"/> registered in DI), the heuristic
    /// <see cref="IPromptInjectionDetector"/> unless one is registered, and the <see cref="SafetyGuard"/> the pipelines use.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.Experimental(AiOrchestrator.Pipeline.AiCall.ExperimentalDiagnosticId)]
    public static IServiceCollection AddSafety(this IServiceCollection services, IConfiguration? configuration = null, Action<SafetyOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<SafetyOptions>();
        if (configuration is not null)
        {
            options.BindStrictly(configuration, SafetyOptions.SectionName, "services.AddSafety(configuration)");
        }

        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SafetyOptions>, SafetyOptionsValidator>());
        services.TryAddSingleton(static sp => new SensitiveDataScanner(
            sp.GetRequiredService<IOptions<SafetyOptions>>().Value.Detection,
            sp.GetServices<ISensitiveDataDetector>()));
        if (!services.Any(static d => d.ServiceType == typeof(IPromptInjectionDetector)))
        {
            services.AddSingleton<IPromptInjectionDetector>(HeuristicPromptInjectionDetector.Instance);
        }

        services.TryAddSingleton(static sp => new SafetyGuard(
            sp.GetRequiredService<IOptions<SafetyOptions>>().Value,
            sp.GetRequiredService<SensitiveDataScanner>(),
            sp.GetServices<IPromptInjectionDetector>(),
            sp.GetService<ILogger<SafetyGuard>>(),
            sp.GetService<System.Diagnostics.Metrics.IMeterFactory>())
        {
            Audit = sp.GetService<AiOrchestrator.Audit.IAuditSink>(),
        });
        return services;
    }
}
