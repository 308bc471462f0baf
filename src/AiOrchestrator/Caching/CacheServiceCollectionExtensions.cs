using AiOrchestrator;
using AiOrchestrator.Caching;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the response cache.</summary>
public static class CacheServiceCollectionExtensions
{
    /// <summary>
    /// Registers the response cache: <see cref="AiCacheOptions"/> (from the <c>AiOrchestrator:Cache</c> section of
    /// <paramref name="configuration"/> when given, checked strictly at start), a <see cref="HybridCache"/> (in memory,
    /// unless one is registered already; register an <c>IDistributedCache</c> such as Redis to give it a second level
    /// shared by processes) and the <see cref="AiResponseCache"/> the pipelines use. <c>UseAiOrchestrator()</c> then
    /// includes the cache stage; <c>UseAiCache()</c> adds it alone.
    /// </summary>
    public static IServiceCollection AddAiCache(this IServiceCollection services, IConfiguration? configuration = null, Action<AiCacheOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<AiCacheOptions>();
        if (configuration is not null)
        {
            options.BindStrictly(configuration, AiCacheOptions.SectionName, "services.AddAiCache(configuration)");
        }

        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AiCacheOptions>, AiCacheOptionsValidator>());
        if (!services.Any(d => d.ServiceType == typeof(HybridCache)))
        {
            services.AddHybridCache();
        }

#pragma warning disable AIOEXP001 // The cache service is part of the experimental pipeline surface.
        services.TryAddSingleton(static sp => new AiResponseCache(
            sp.GetRequiredService<HybridCache>(),
            sp.GetRequiredService<IOptions<AiCacheOptions>>().Value,
            sp.GetService<TimeProvider>(),
            sp.GetService<ILogger<AiResponseCache>>(),
            sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
#pragma warning restore AIOEXP001
        return services;
    }
}
