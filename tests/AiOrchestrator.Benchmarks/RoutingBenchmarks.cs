using AiOrchestrator.Metering;
using AiOrchestrator.Routing;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace AiOrchestrator.Benchmarks;

/// <summary>
/// What routing adds to a call: a routed call (priority strategy, two healthy targets, the first serves) against the
/// same per-attempt pipeline called directly, with and without metering. The provider answers at once from memory.
/// </summary>
[MemoryDiagnoser]
public class RoutingBenchmarks
{
    private static readonly ChatOptions Direct = new() { ModelId = "gpt-4o-mini" };
    private static readonly ChatOptions Routed = new() { ModelId = "smart" };

    private ServiceProvider _services = null!;
    private InstantChatClient _bare = null!;
    private ModelRoutingChatClient _routedBare = null!;
    private MeteringChatClient _metered = null!;
    private IChatClient _routedMetered = null!;
    private List<ChatMessage> _messages = null!;

    [GlobalSetup]
    public void Setup()
    {
        _services = new ServiceCollection()
            .AddSingleton<IUsageStore, DiscardingUsageStore>()
            .AddAiOrchestrator()
            .BuildServiceProvider();
        _bare = new InstantChatClient();
        _routedBare = new ModelRoutingChatClient(new InstantChatClient(), Options());
        _metered = new MeteringChatClient(new InstantChatClient(), _services.GetRequiredService<UsageMeter>());
        _routedMetered = new ChatClientBuilder(new InstantChatClient()).UseRouting(Configure).Build(_services);
        _messages =
        [
            new(ChatRole.System, "You are a helpful assistant."),
            new(ChatRole.User, BenchmarkText.Prompt1Kb),
        ];
    }

    [GlobalCleanup]
    public void Cleanup() => _services.Dispose();

    [Benchmark(Baseline = true)]
    public Task<ChatResponse> Bare() => _bare.GetResponseAsync(_messages, Direct);

    [Benchmark]
    public Task<ChatResponse> RoutedBare() => _routedBare.GetResponseAsync(_messages, Routed);

    [Benchmark]
    public Task<ChatResponse> Metered() => _metered.GetResponseAsync(_messages, Direct);

    [Benchmark]
    public Task<ChatResponse> RoutedMetered() => _routedMetered.GetResponseAsync(_messages, Routed);

    [Benchmark]
    public async Task<int> RoutedMeteredStreaming()
    {
        var n = 0;
        await foreach (var update in _routedMetered.GetStreamingResponseAsync(_messages, Routed))
        {
            n += update.Contents.Count;
        }

        return n;
    }

    [Benchmark]
    public async Task<int> MeteredStreaming()
    {
        var n = 0;
        await foreach (var update in _metered.GetStreamingResponseAsync(_messages, Direct))
        {
            n += update.Contents.Count;
        }

        return n;
    }

    private static RoutingOptions Options()
    {
        var options = new RoutingOptions();
        Configure(options);
        return options;
    }

    private static void Configure(RoutingOptions o) => o.Aliases["smart"] = new RouteOptions
    {
        Targets =
        [
            new RouteTarget { Name = "mini", ModelId = "gpt-4o-mini" },
            new RouteTarget { Name = "mini-backup", ModelId = "gpt-4o-mini", Priority = 1 },
        ],
    };
}
