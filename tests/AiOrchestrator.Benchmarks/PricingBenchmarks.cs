using AiOrchestrator.Pricing;
using BenchmarkDotNet.Attributes;

namespace AiOrchestrator.Benchmarks;

/// <summary>The pricing hot path: a cached price lookup and an exact cost calculation.</summary>
[MemoryDiagnoser]
public class PricingBenchmarks
{
    private static readonly DateTimeOffset At = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly TokenUsage _usage = new() { InputTokens = 12_345, CachedInputTokens = 2_048, OutputTokens = 789, ReasoningTokens = 300 };
    private PriceCatalog _catalog = null!;
    private readonly TokenUsage _fiveUnits = new()
    {
        InputTokens = 12_345, CachedInputTokens = 4_096, CacheWriteTokens = 1_024, CacheWrite1hTokens = 512, OutputTokens = 789,
    };

    private ModelPrice _price = null!;
    private ModelPrice _claude = null!;
    private CostCalculator _calculator = null!;

    /// <summary>Loads the catalog and warms the lookup cache.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _catalog = PriceCatalog.Default;
        _price = _catalog.FindPrice("openai", "gpt-4o-2024-08-06", At);
        _claude = _catalog.FindPrice("anthropic", "claude-sonnet-4-5-20250929", At);
        _calculator = new CostCalculator(new PricingOptions());
        _calculator.Calculate("openai", "gpt-4o-2024-08-06", _usage, At);
    }

    /// <summary>A lookup of a pair seen before: dictionary hit plus choosing the entry in effect.</summary>
    [Benchmark]
    public bool TryFindPrice_Cached() => _catalog.TryFindPrice("openai", "gpt-4o-2024-08-06", At, out _);

    /// <summary>Same, for a model with a long-context tier.</summary>
    [Benchmark]
    public bool TryFindPrice_Cached_Tiered() => _catalog.TryFindPrice("anthropic", "claude-sonnet-4-5-20250929", At, out _);

    /// <summary>Exact cost of one usage with a resolved price.</summary>
    [Benchmark]
    public Money CalculateCost() => _price.CalculateCost(_usage);

    /// <summary>Exact cost of a usage over five priced units (input, cache read, 5-minute and 1-hour writes, output), tiered, with its parts.</summary>
    [Benchmark]
    public CallCost Calculate_FiveUnits() => _claude.Calculate(_fiveUnits);

    /// <summary>The same cost without its parts (the amount alone).</summary>
    [Benchmark]
    public Money CalculateCost_FiveUnits() => _claude.CalculateCost(_fiveUnits);

    /// <summary>Lookup plus cost, as the metering stage does it.</summary>
    [Benchmark]
    public Money CostCalculator_Calculate() => _calculator.Calculate("openai", "gpt-4o-2024-08-06", _usage, At).Cost;

    /// <summary>Worst-case estimate for a budget reservation.</summary>
    [Benchmark]
    public Money EstimateMaxCost() => _price.EstimateMaxCost(12_345, 4_096);
}
