using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace AiOrchestrator.Benchmarks;

/// <summary>
/// The cost of metering one call: the bare client against the same client behind <c>UseAiOrchestrator()</c>,
/// on a 1 KB prompt, buffered and streamed. The provider answers at once from memory, so the difference is the
/// pipeline's own overhead (scope, price lookup, usage normalisation, cost, record, metrics).
/// </summary>
[MemoryDiagnoser]
public class MeteringBenchmarks
{
    private ServiceProvider _services = null!;
    private InstantChatClient _bare = null!;
    private IChatClient _metered = null!;
    private IChatClient _meteredNoStore = null!;
    private IChatClient _budgeted = null!;
    private IChatClient _budgetedInMemory = null!;
    private ServiceProvider _servicesBudgetInMemory = null!;
    private ServiceProvider _servicesBudget = null!;
    private string _journal = null!;
    private ServiceProvider _servicesNoStore = null!;
    private List<ChatMessage> _messages = null!;

    [GlobalSetup]
    public void Setup()
    {
        _services = new ServiceCollection()
            .AddAiOrchestrator(o => o.StorePath = Path.Combine(Path.GetTempPath(), $"aio-bench-{Guid.NewGuid():N}.db"))
            .BuildServiceProvider();
        _servicesNoStore = new ServiceCollection()
            .AddSingleton<AiOrchestrator.Metering.IUsageStore, DiscardingUsageStore>()
            .AddAiOrchestrator()
            .BuildServiceProvider();
        _meteredNoStore = new ChatClientBuilder(new InstantChatClient()).UseAiOrchestrator().Build(_servicesNoStore);
        // Budgets on a durable journal file (group commit; calls do not wait for the disk, the default).
        _journal = Path.Combine(Path.GetTempPath(), $"aio-bench-{Guid.NewGuid():N}.journal");
        _servicesBudget = new ServiceCollection()
            .AddAiOrchestrator(o => o.StorePath = Path.Combine(Path.GetTempPath(), $"aio-bench-{Guid.NewGuid():N}.db"))
            .AddBudgetLedger(configure: b =>
            {
                b.StorePath = _journal;
                b.Wallets.Add(new AiOrchestrator.Budgets.WalletOptions { Id = "org:default", Limit = 1_000_000_000m, Period = AiOrchestrator.Budgets.BudgetPeriod.Total });
            })
            .BuildServiceProvider();
        _budgeted = new ChatClientBuilder(new InstantChatClient()).UseAiOrchestrator().Build(_servicesBudget);
        // The same with the ledger's journal in memory and a store that keeps nothing: the stage's own cost,
        // without the writer threads competing for the two cores.
        _servicesBudgetInMemory = new ServiceCollection()
            .AddSingleton<AiOrchestrator.Metering.IUsageStore, DiscardingUsageStore>()
            .AddAiOrchestrator()
            .AddBudgetLedger(configure: b =>
            {
                b.StorePath = ":memory:";
                b.Wallets.Add(new AiOrchestrator.Budgets.WalletOptions { Id = "org:default", Limit = 1_000_000_000m, Period = AiOrchestrator.Budgets.BudgetPeriod.Total });
            })
            .BuildServiceProvider();
        _budgetedInMemory = new ChatClientBuilder(new InstantChatClient()).UseAiOrchestrator().Build(_servicesBudgetInMemory);
        _bare = new InstantChatClient();
        _metered = new ChatClientBuilder(new InstantChatClient()).UseAiOrchestrator().Build(_services);
        _messages =
        [
            new(ChatRole.System, "You are a helpful assistant."),
            new(ChatRole.User, BenchmarkText.Prompt1Kb),
        ];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _services.Dispose();
        _servicesNoStore.Dispose();
        _servicesBudget.Dispose();
        _servicesBudgetInMemory.Dispose();
    }

    [Benchmark(Baseline = true)]
    public Task<ChatResponse> Bare() => _bare.GetResponseAsync(_messages);

    [Benchmark]
    public Task<ChatResponse> Metered() => _metered.GetResponseAsync(_messages);

    [Benchmark]
    public Task<ChatResponse> MeteredAndBudgeted() => _budgeted.GetResponseAsync(_messages);

    [Benchmark]
    public Task<ChatResponse> MeteredAndBudgetedInMemory() => _budgetedInMemory.GetResponseAsync(_messages);

    [Benchmark]
    public Task<ChatResponse> MeteredWithoutStore() => _meteredNoStore.GetResponseAsync(_messages);

    [Benchmark]
    public async Task<int> BareStreaming()
    {
        var n = 0;
        await foreach (var update in _bare.GetStreamingResponseAsync(_messages))
        {
            n += update.Contents.Count;
        }

        return n;
    }

    [Benchmark]
    public async Task<int> MeteredStreaming()
    {
        var n = 0;
        await foreach (var update in _metered.GetStreamingResponseAsync(_messages))
        {
            n += update.Contents.Count;
        }

        return n;
    }
}
