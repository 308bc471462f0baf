using AiOrchestrator.Pricing;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;

namespace AiOrchestrator.Benchmarks;

/// <summary>The parts of the metering hot path, one by one, to see where its time goes.</summary>
[MemoryDiagnoser]
public class MeteringPartsBenchmarks
{
    private readonly CostCalculator _calc = new(new PricingOptions());
    private readonly UsageDetails _details = new() { InputTokenCount = 260, CachedInputTokenCount = 0, OutputTokenCount = 120, TotalTokenCount = 380 };
    private readonly TokenUsage _usage = new() { InputTokens = 260, OutputTokens = 120 };
    private readonly DateTimeOffset _at = DateTimeOffset.UtcNow;

    [Benchmark] public object GetPrice() => _calc.GetPrice("openai", "gpt-4o-mini", _at);
    [Benchmark] public object GetPriceSnapshot() => _calc.GetPrice("openai", "gpt-4o-mini-2024-07-18", _at);
    [Benchmark] public Money Calculate() => _calc.Calculate("openai", "gpt-4o-mini-2024-07-18", _usage, _at).Cost;
    [Benchmark] public TokenUsage Normalise() => _details.ToTokenUsage();
    [Benchmark] public Guid Guid7() => Guid.CreateVersion7(_at);
    [Benchmark] public DateTimeOffset Now() => TimeProvider.System.GetUtcNow();
}

/// <summary>The parts of the budget stage's hot path, one by one.</summary>
[MemoryDiagnoser]
public class BudgetPartsBenchmarks
{
    private static readonly AiScope Scope = new() { Organization = "default" };
    private AiOrchestrator.Budgets.BudgetLedger _ledger = null!;
    private IReadOnlyList<AiOrchestrator.Budgets.WalletId> _path = null!;
    private List<Microsoft.Extensions.AI.ChatMessage> _messages = null!;
    private long _n;

    [GlobalSetup]
    public void Setup()
    {
        var options = new AiOrchestrator.Budgets.BudgetOptions();
        options.Wallets.Add(new AiOrchestrator.Budgets.WalletOptions { Id = "org:default", Limit = 1_000_000_000m, Period = AiOrchestrator.Budgets.BudgetPeriod.Total });
        _ledger = new AiOrchestrator.Budgets.BudgetLedger(options);
        _path = _ledger.GetWalletPath(Scope);
        _messages = [new(Microsoft.Extensions.AI.ChatRole.System, "You are a helpful assistant."), new(Microsoft.Extensions.AI.ChatRole.User, BenchmarkText.Prompt1Kb)];
    }

    [GlobalCleanup]
    public void Cleanup() => _ledger.Dispose();

    [Benchmark] public object GetWalletPath() => _ledger.GetWalletPath(Scope);
    [Benchmark] public object GetWallet() => _ledger.GetWallet(_path[0]);
    [Benchmark] public int EstimateInput() => AiOrchestrator.Tokens.TokenCounter.Estimate.CountInputTokens(_messages, null, "gpt-4o-mini");
    [Benchmark] public string Key() => AiOrchestrator.Metering.UsageRecordId.Next(DateTimeOffset.UtcNow).ToString("N") + "/reserve";

    [Benchmark]
    public async Task ReserveSettle()
    {
        var n = ++_n;
        var r = await _ledger.ReserveAsync(_path, Money.Usd(0.01m), "r" + n);
        await _ledger.SettleAsync(r.Id, Money.Usd(0.001m), "s" + n);
    }
}
