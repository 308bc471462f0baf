using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace AiOrchestrator.Benchmarks;

/// <summary>
/// The response cache on a 1 KB prompt, against the bare client in the same run: an exact hit through
/// <c>UseAiOrchestrator()</c> (key, lookup, replay, hit record), the miss path (a request the cache skips every time:
/// the caller's no-cache flag makes it key and record nothing, so this is metering plus the cache's decision), and
/// M.E.AI's own distributed-cache hit for comparison.
/// </summary>
[MemoryDiagnoser]
public class CacheBenchmarks
{
    private ServiceProvider _cached = null!;
    private ServiceProvider _uncached = null!;
    private InstantChatClient _bare = null!;
    private int _unique;
    private IChatClient _hit = null!;
    private IChatClient _meteredOnly = null!;
    private IChatClient _meaiHit = null!;
    private List<ChatMessage> _messages = null!;
    private ChatOptions _skip = null!;

    [GlobalSetup]
    public void Setup()
    {
        _cached = new ServiceCollection()
            .AddSingleton<AiOrchestrator.Metering.IUsageStore, DiscardingUsageStore>()
            .AddAiOrchestrator()
            .AddAiCache()
            .BuildServiceProvider();
        _uncached = new ServiceCollection()
            .AddSingleton<AiOrchestrator.Metering.IUsageStore, DiscardingUsageStore>()
            .AddAiOrchestrator()
            .AddDistributedMemoryCache()
            .BuildServiceProvider();
        _bare = new InstantChatClient();
        _hit = new ChatClientBuilder(new InstantChatClient()).UseAiOrchestrator().Build(_cached);
        _meteredOnly = new ChatClientBuilder(new InstantChatClient()).UseAiOrchestrator().Build(_uncached);
        _meaiHit = new ChatClientBuilder(new InstantChatClient()).UseDistributedCache().Build(_uncached);
        _messages =
        [
            new(ChatRole.System, "You are a helpful assistant."),
            new(ChatRole.User, BenchmarkText.Prompt1Kb),
        ];
        _skip = new ChatOptions { AdditionalProperties = new() { [AiOrchestrator.Caching.AiCacheKeys.NoCache] = true } };
        _hit.GetResponseAsync(_messages).GetAwaiter().GetResult();
        _meaiHit.GetResponseAsync(_messages).GetAwaiter().GetResult();
    }

    private List<ChatMessage> Unique() =>
    [
        _messages[0],
        new(ChatRole.User, BenchmarkText.Prompt1Kb + Interlocked.Increment(ref _unique).ToString(System.Globalization.CultureInfo.InvariantCulture)),
    ];

    [GlobalCleanup]
    public void Cleanup()
    {
        _cached.Dispose();
        _uncached.Dispose();
    }

    [Benchmark(Baseline = true)]
    public Task<ChatResponse> Bare() => _bare.GetResponseAsync(_messages);

    /// <summary>An exact-cache hit through the whole pipeline.</summary>
    [Benchmark]
    public Task<ChatResponse> ExactHit() => _hit.GetResponseAsync(_messages);

    /// <summary>Metering alone, no cache registered: the reference for the miss path.</summary>
    [Benchmark]
    public Task<ChatResponse> MeteredNoCache() => _meteredOnly.GetResponseAsync(_messages);

    /// <summary>A true miss (a new question each time) through the cache: key, lookup, provider, write.</summary>
    [Benchmark]
    public Task<ChatResponse> ExactMiss() => _hit.GetResponseAsync(Unique());

    /// <summary>The same new questions without a cache: the reference for <see cref="ExactMiss"/>.</summary>
    [Benchmark]
    public Task<ChatResponse> MeteredNoCacheUnique() => _meteredOnly.GetResponseAsync(Unique());

    /// <summary>A call the cache lets through (the caller's no-cache flag): metering plus the cache's decision.</summary>
    [Benchmark]
    public Task<ChatResponse> MeteredCacheBypassed() => _hit.GetResponseAsync(_messages, _skip);

    /// <summary>M.E.AI's <c>UseDistributedCache</c> hit on an in-memory IDistributedCache.</summary>
    [Benchmark]
    public Task<ChatResponse> MeaiDistributedCacheHit() => _meaiHit.GetResponseAsync(_messages);
}
