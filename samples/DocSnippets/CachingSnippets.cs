using AiOrchestrator.Caching;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace DocSnippets;

public static class CachingSnippets
{
    public static IChatClient Register(IServiceCollection services, IConfiguration configuration, IChatClient provider)
    {
        #region caching-register
        services.AddAiOrchestrator(configuration);
        services.AddAiCache(configuration, o =>
        {
            o.DefaultTimeToLive = TimeSpan.FromHours(6);
            o.TimeToLiveRules.Add(new CacheTimeToLiveRule { Model = "gpt-4o-mini", TimeToLive = TimeSpan.FromMinutes(30) });
            o.ToolsWithSideEffects.Add("send_email");
        });
        // Optional: a second level shared by every process, e.g. Redis
        // (Microsoft.Extensions.Caching.StackExchangeRedis): services.AddStackExchangeRedisCache(o => o.Configuration = "...");

        IChatClient client = new ChatClientBuilder(provider)
            .UseAiOrchestrator() // the cache sits before routing and budgets: a hit reserves nothing and calls nobody
            .Build(services.BuildServiceProvider());
        #endregion
        return client;
    }

    public static async Task PerCall(IChatClient client, IServiceProvider services)
    {
        #region caching-per-call
        // Skip the cache for one call:
        var fresh = new ChatOptions { AdditionalProperties = new() { [AiCacheKeys.NoCache] = true } };
        await client.GetResponseAsync("What changed in the last hour?", fresh);

        // Drop entries:
#pragma warning disable AIOEXP001 // the cache service is part of the experimental pipeline surface
        var cache = services.GetRequiredService<AiResponseCache>();
        await cache.InvalidateOrganizationAsync("acme");
        await cache.InvalidateModelAsync("gpt-4o");
        await cache.InvalidateAllAsync();
#pragma warning restore AIOEXP001
        #endregion
    }
}
