using AiOrchestrator.RateLimits;
using BenchmarkDotNet.Attributes;

namespace AiOrchestrator.Benchmarks;

/// <summary>
/// What the rate limiter adds per call: acquire + settle of a token permit for one partition (a user limit) and for
/// three levels (user, team and organisation, tokens and cost at the organisation), and a request permit through
/// three levels. The limits are high enough never to refuse, and the clock is the system's.
/// </summary>
[MemoryDiagnoser]
public class RateLimitBenchmarks
{
    private static readonly AiScope Scope = new() { Organization = "acme", Team = "search", User = "alice" };
    private ScopeRateLimiter _single = null!;
    private ScopeRateLimiter _hierarchy = null!;

    [GlobalSetup]
    public void Setup()
    {
        var single = new RateLimitOptions();
        single.Limits.Add(new RateLimitRule { Level = RateLimitLevel.User, Tokens = long.MaxValue / 4 });
        _single = new ScopeRateLimiter(single, TimeProvider.System);

        var hierarchy = new RateLimitOptions();
        hierarchy.Limits.Add(new RateLimitRule { Level = RateLimitLevel.User, Requests = long.MaxValue / 4, Tokens = long.MaxValue / 4 });
        hierarchy.Limits.Add(new RateLimitRule { Level = RateLimitLevel.Team, Requests = long.MaxValue / 4, Tokens = long.MaxValue / 4 });
        hierarchy.Limits.Add(new RateLimitRule { Level = RateLimitLevel.Organization, Requests = long.MaxValue / 4, Tokens = long.MaxValue / 4, Cost = 1_000_000m });
        _hierarchy = new ScopeRateLimiter(hierarchy, TimeProvider.System);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _single.Dispose();
        _hierarchy.Dispose();
    }

    [Benchmark(Baseline = true)]
    public void TokensOnePartition()
    {
        var permit = Completed(_single.AcquireTokensAsync(Scope, "gpt-4o", 1_500, 0m));
        permit.Settle(1_200, 0m);
    }

    [Benchmark]
    public void TokensAndCostThreeLevels()
    {
        var permit = Completed(_hierarchy.AcquireTokensAsync(Scope, "gpt-4o", 1_500, 0.0125m));
        permit.Settle(1_200, 0.0101m);
    }

    [Benchmark]
    public void RequestThreeLevels() => Completed(_hierarchy.AcquireRequestAsync(Scope, "gpt-4o"));

    // Limits this high never refuse or queue, so the acquisition has always completed.
    private static RateLimitPermit Completed(ValueTask<RateLimitPermit> acquisition)
        => acquisition.IsCompletedSuccessfully ? acquisition.Result : acquisition.AsTask().GetAwaiter().GetResult();
}
