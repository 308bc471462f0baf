using AiOrchestrator;
using AiOrchestrator.Caching;
using Microsoft.Extensions.AI;
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

        // Entries reach a second level (Redis or any IDistributedCache) in their checksummed form, whoever registered
        // the HybridCache.
#pragma warning disable AIOEXP001
        services.TryAddSingleton<IHybridCacheSerializer<CacheEntry>, CacheEntrySerializer>();
#pragma warning restore AIOEXP001
        if (!services.Any(d => d.ServiceType == typeof(HybridCache)))
        {
            // The in-process level is bounded: entries count their bytes against a size limit (64 MiB unless the app
            // registered its own memory cache), so a flood of distinct requests cannot grow the process without end.
            if (!services.Any(d => d.ServiceType == typeof(Microsoft.Extensions.Caching.Memory.IMemoryCache)))
            {
                services.AddMemoryCache(static o => o.SizeLimit = 64L << 20);
            }

            services.AddHybridCache();
        }

#pragma warning disable AIOEXP001 // The cache service is part of the experimental pipeline surface.
        services.TryAddSingleton(static sp =>
        {
            var options = sp.GetRequiredService<IOptions<AiCacheOptions>>().Value;
            var logger = sp.GetService<ILogger<AiResponseCache>>();
            var cache = new AiResponseCache(
                sp.GetRequiredService<HybridCache>(),
                options,
                sp.GetService<TimeProvider>(),
                logger,
                sp.GetService<System.Diagnostics.Metrics.IMeterFactory>());
            if (options.Semantic.Enabled)
            {
                var generator = sp.GetService<IEmbeddingGenerator<string, Embedding<float>>>() ?? throw new InvalidOperationException(
                    $"{AiCacheOptions.SectionName}:Semantic:Enabled is true, but no IEmbeddingGenerator<string, Embedding<float>> is registered. Register one (services.AddLocalEmbeddingGenerator() from AiOrchestrator.Embeddings.Local works offline), or turn the semantic cache off.");
                cache.Semantic = new SemanticResponseCache(generator, options.Semantic, cache.TimeProvider, (ILogger?)logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, cache.Metrics);
            }

            return cache;
        });
#pragma warning restore AIOEXP001
        return services;
    }
}
