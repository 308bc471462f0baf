using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace AiOrchestrator.Caching;

/// <summary>
/// Cache instruments on the <c>AiOrchestrator</c> meter: lookups by result (<c>hit</c>, <c>semantic_hit</c>, <c>miss</c>,
/// <c>bypass</c>, <c>error</c>), their duration, and the cost hits avoided. Tagged by the cache partition's kind only
/// (organisation names would make one series per tenant); per-scope figures come from the spend queries.
/// </summary>
internal sealed class CacheMetrics : IDisposable
{
    private readonly Meter _meter;
    private readonly bool _ownsMeter;

    public CacheMetrics(IMeterFactory? meterFactory)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(new MeterOptions("AiOrchestrator")) ?? new Meter("AiOrchestrator");
        Lookups = _meter.CreateCounter<long>("aiorchestrator.cache.lookups", "{lookup}", "Response-cache lookups, by result.");
        Duration = _meter.CreateHistogram<double>("aiorchestrator.cache.lookup.duration", "s", "How long a response-cache lookup took.");
        Errors = _meter.CreateCounter<long>("aiorchestrator.cache.errors", "{error}", "Cache failures that sent a call to the provider instead, by kind.");
    }

    public Counter<long> Lookups { get; }

    public Histogram<double> Duration { get; }

    public Counter<long> Errors { get; }

    public void Lookup(string result, TimeSpan elapsed)
    {
        if (Lookups.Enabled)
        {
            Lookups.Add(1, new KeyValuePair<string, object?>("aiorchestrator.cache.result", result));
        }

        if (Duration.Enabled)
        {
            Duration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("aiorchestrator.cache.result", result));
        }
    }

    public void Error(string kind)
    {
        if (Errors.Enabled)
        {
            Errors.Add(1, new TagList { { "aiorchestrator.cache.error", kind } });
        }
    }

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}
