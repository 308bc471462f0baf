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
