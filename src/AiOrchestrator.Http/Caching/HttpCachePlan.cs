using AiOrchestrator.Caching;

namespace AiOrchestrator.Http.Caching;

/// <summary>How one HTTP call uses the response cache: its key, partition, requested model and entry lifetime.</summary>
internal sealed record HttpCachePlan(AiResponseCache Cache, string Key, string Partition, string Model, TimeSpan TimeToLive)
{
    /// <summary>The plan for a request, or null when the shared rules send it to the provider uncached.</summary>
    public static HttpCachePlan? For(AiResponseCache cache, HttpRequestMessage request, AiScope scope, string model, bool stream, ReadOnlySpan<byte> body)
    {
        var partition = cache.PartitionOf(scope);
        var timeToLive = cache.TimeToLiveOf(scope, model);
        var skip = request.Options.TryGetValue(AiRequestOptions.NoCache, out var noCache) && noCache;
        string key;
        double? temperature;
        List<string> tools;
        try
        {
            key = HttpCacheKey.Build(partition, request.RequestUri, stream, body, out temperature, out tools);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }

        var why = cache.BypassReason(skip, temperature, tools.Select(static name => (name, false)));
        if (why is not null || timeToLive <= TimeSpan.Zero)
        {
            cache.CountLookup("bypass", TimeSpan.Zero);
            return null;
        }

        return new HttpCachePlan(cache, key, partition, model, timeToLive);
    }
}
