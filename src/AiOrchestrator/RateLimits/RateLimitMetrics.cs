using System.Diagnostics.Metrics;

namespace AiOrchestrator.RateLimits;

/// <summary>
/// Rate-limit instruments on the <c>AiOrchestrator</c> meter: rejections by limit kind, level and reason, and how long
/// queued calls waited. Tagged by kind and level only (partition names would make one series per tenant).
/// </summary>
internal sealed class RateLimitMetrics : IDisposable
{
    private readonly Meter _meter;
    private readonly bool _ownsMeter;

    public RateLimitMetrics(IMeterFactory? meterFactory)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(new MeterOptions(AiOrchestratorTelemetry.Name)) ?? new Meter(AiOrchestratorTelemetry.Name);
        Rejections = _meter.CreateCounter<long>("aiorchestrator.rate_limit.rejections", "{call}", "Calls refused by a rate limit, by limit kind, level and reason.");
        QueueDuration = _meter.CreateHistogram<double>("aiorchestrator.rate_limit.queue.duration", "s", "How long calls waited in a rate-limit queue, by result.");
    }

    public Counter<long> Rejections { get; }

    public Histogram<double> QueueDuration { get; }

    public void Rejected(RateLimitKind kind, RateLimitLevel level, string reason)
    {
        if (Rejections.Enabled)
        {
            Rejections.Add(
                1,
                new KeyValuePair<string, object?>("aiorchestrator.rate_limit.kind", KindName(kind)),
                new KeyValuePair<string, object?>("aiorchestrator.rate_limit.level", LevelName(level)),
                new KeyValuePair<string, object?>("aiorchestrator.rate_limit.reason", reason));
        }
    }

    public void Queued(TimeSpan waited, string result)
    {
        if (QueueDuration.Enabled)
        {
            QueueDuration.Record(waited.TotalSeconds, new KeyValuePair<string, object?>("aiorchestrator.rate_limit.result", result));
        }
    }

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    private static string KindName(RateLimitKind kind) => kind switch
    {
        RateLimitKind.Requests => "requests",
        RateLimitKind.Tokens => "tokens",
        _ => "cost",
    };

    private static string LevelName(RateLimitLevel level) => level switch
    {
        RateLimitLevel.Organization => "organization",
        RateLimitLevel.Team => "team",
        _ => "user",
    };
}
