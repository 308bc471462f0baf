using AiOrchestrator;
using AiOrchestrator.RateLimits;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the rate limiter.</summary>
public static class RateLimitServiceCollectionExtensions
{
    /// <summary>
    /// Registers the rate limits: <see cref="RateLimitOptions"/> (from the <c>AiOrchestrator:RateLimits</c> section of
    /// <paramref name="configuration"/> when given, checked strictly at start and reloaded when it changes), then
    /// adjusted by <paramref name="configure"/>, and the <see cref="ScopeRateLimiter"/> the pipelines use.
    /// </summary>
    public static IServiceCollection AddRateLimits(this IServiceCollection services, IConfiguration? configuration = null, Action<RateLimitOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<RateLimitOptions>();
        if (configuration is not null)
        {
#pragma warning disable AIOEXP001 // Strict binding is shared by every registration.
            options.BindStrictly(configuration, RateLimitOptions.SectionName, "services.AddRateLimits(configuration)");
#pragma warning restore AIOEXP001
        }

        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RateLimitOptions>, RateLimitOptionsValidator>());
#pragma warning disable AIOEXP001 // The limiter is part of the experimental pipeline surface.
        services.TryAddSingleton(static sp => new ScopeRateLimiter(
            sp.GetRequiredService<IOptionsMonitor<RateLimitOptions>>(),
            sp.GetService<TimeProvider>(),
            sp.GetService<ILogger<ScopeRateLimiter>>(),
            sp.GetService<System.Diagnostics.Metrics.IMeterFactory>())
        {
            Audit = sp.GetService<AiOrchestrator.Audit.IAuditSink>(),
        });
#pragma warning restore AIOEXP001
        return services;
    }
}
