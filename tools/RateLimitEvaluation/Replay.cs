using AiOrchestrator;
using AiOrchestrator.RateLimits;

namespace RateLimitEvaluation;

/// <summary>How a scenario estimates a request's tokens before the call, and when the call ends.</summary>
internal enum Estimate
{
    /// <summary>The estimate is the actual count (the limiter's own accuracy).</summary>
    Exact,

    /// <summary>Input plus an output cap of 1,000 (the trace's largest output): an over-estimate, settled at the end.</summary>
    OutputCap,

    /// <summary>Input plus 100 output tokens: an under-estimate for long answers, charged at the end.</summary>
    TooLow,
}

internal sealed record Scenario(string Name, long? TokensPerMinute, long? RequestsPerMinute, Estimate Estimate);

internal sealed record ReplayResult(Scenario Scenario, int Admitted, long AdmittedTokens, long MaxWindow, int LargestAdmitted, int WindowsOver, double[] PerSecondWindow)
{
    public long Limit => Scenario.TokensPerMinute ?? Scenario.RequestsPerMinute!.Value;

    public long Overshoot => Math.Max(0, MaxWindow - Limit);
}

/// <summary>Replays the trace through one organisation's limit on a virtual clock.</summary>
internal static class Replay
{
    private static readonly AiScope Scope = new() { Organization = "trace" };
    private static readonly long Minute = TimeSpan.FromMinutes(1).Ticks;

    public static ReplayResult Run(Scenario scenario, List<TraceRequest> trace)
    {
        var options = new RateLimitOptions();
        options.Limits.Add(new RateLimitRule { Level = RateLimitLevel.Organization, Tokens = scenario.TokensPerMinute, Requests = scenario.RequestsPerMinute });
        var clock = new VirtualClock();
        using var limiter = new ScopeRateLimiter(options, clock);

        // Calls end after a simulated latency (0.3 s + 20 ms per output token); their permits are settled then.
        var endings = new PriorityQueue<(RateLimitPermit Permit, int Tokens), long>();
        var admitted = new List<TraceRequest>();
        foreach (var request in trace)
        {
            while (endings.TryPeek(out var ending, out var at) && at <= request.At)
            {
                endings.Dequeue();
                clock.Ticks = at;
                ending.Permit.Settle(ending.Tokens, 0m);
            }

            clock.Ticks = request.At;
            if (scenario.RequestsPerMinute is not null)
            {
                if (!Passed(limiter.AcquireRequestAsync(Scope, null), out _))
                {
                    continue;
                }

                admitted.Add(request);
                continue;
            }

            var estimate = scenario.Estimate switch
            {
                Estimate.Exact => request.Tokens,
                Estimate.OutputCap => request.ContextTokens + 1_000,
                _ => request.ContextTokens + 100,
            };
            if (Passed(limiter.AcquireTokensAsync(Scope, "model", estimate, 0m), out var permit))
            {
                admitted.Add(request);
                endings.Enqueue((permit, request.Tokens), request.At + TimeSpan.FromMilliseconds(300 + (20 * request.GeneratedTokens)).Ticks);
            }
        }

        return Measure(scenario, admitted, trace[^1].At);
    }

    private static bool Passed(ValueTask<RateLimitPermit> acquisition, out RateLimitPermit permit)
    {
        permit = default;
        if (acquisition.IsCompletedSuccessfully)
        {
            permit = acquisition.Result;
            return true;
        }

        try
        {
            acquisition.AsTask().GetAwaiter().GetResult();
            throw new InvalidOperationException("The replay configures no queue, so an acquisition completes at once.");
        }
        catch (RateLimitExceededException)
        {
            return false;
        }
    }

    /// <summary>
    /// Every 60-second window [t, t + 60 s): the largest sum is found exactly over windows starting at each admitted
    /// request (a window's sum only changes there), and a per-second series of windows ending at each second is kept.
    /// </summary>
    private static ReplayResult Measure(Scenario scenario, List<TraceRequest> admitted, long end)
    {
        long Weight(TraceRequest r) => scenario.RequestsPerMinute is null ? r.Tokens : 1;
        var limit = scenario.TokensPerMinute ?? scenario.RequestsPerMinute!.Value;
        long max = 0, sum = 0;
        var windowsOver = 0;
        var j = 0;
        for (var i = 0; i < admitted.Count; i++)
        {
            while (j < admitted.Count && admitted[j].At < admitted[i].At + Minute)
            {
                sum += Weight(admitted[j]);
                j++;
            }

            max = Math.Max(max, sum);
            if (sum > limit)
            {
                windowsOver++;
            }

            sum -= Weight(admitted[i]);
        }

        var seconds = (int)(end / TimeSpan.TicksPerSecond) + 1;
        var perSecond = new double[Math.Max(0, seconds - 59)];
        var bySecond = new long[seconds + 1];
        foreach (var r in admitted)
        {
            bySecond[r.At / TimeSpan.TicksPerSecond] += Weight(r);
        }

        long rolling = 0;
        for (var s = 0; s < seconds; s++)
        {
            rolling += bySecond[s];
            if (s >= 60)
            {
                rolling -= bySecond[s - 60];
            }

            if (s >= 59)
            {
                perSecond[s - 59] = rolling;
            }
        }

        return new ReplayResult(scenario, admitted.Count, admitted.Sum(r => (long)r.Tokens), max, admitted.Count == 0 ? 0 : admitted.Max(r => r.Tokens), windowsOver, perSecond);
    }
}
