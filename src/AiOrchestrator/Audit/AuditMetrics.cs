using System.Diagnostics.Metrics;

namespace AiOrchestrator.Audit;

/// <summary>
/// Audit instruments on the <c>AiOrchestrator</c> meter: entries written, entries per batch, how long a batch's write
/// and flush took, and checkpoints signed. No tags: scopes would make one series per tenant.
/// </summary>
internal sealed class AuditMetrics : IDisposable
{
    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _entries;
    private readonly Histogram<long> _batchEntries;
    private readonly Histogram<double> _flushDuration;
    private readonly Counter<long> _checkpoints;

    public AuditMetrics(IMeterFactory? meterFactory)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(new MeterOptions(AiOrchestratorTelemetry.Name)) ?? new Meter(AiOrchestratorTelemetry.Name);
        _entries = _meter.CreateCounter<long>("aiorchestrator.audit.entries", "{entry}", "Audit entries written to disk.");
        _batchEntries = _meter.CreateHistogram<long>("aiorchestrator.audit.batch.entries", "{entry}", "Audit entries per group-commit batch (one flush to disk each).");
        _flushDuration = _meter.CreateHistogram<double>("aiorchestrator.audit.batch.duration", "s", "How long writing and flushing an audit batch took.");
        _checkpoints = _meter.CreateCounter<long>("aiorchestrator.audit.checkpoints", "{checkpoint}", "Signed audit checkpoints written.");
    }

    public bool TimingEnabled => _flushDuration.Enabled;

    public void Batch(int entries, TimeSpan elapsed)
    {
        _entries.Add(entries);
        if (_batchEntries.Enabled)
        {
            _batchEntries.Record(entries);
        }

        if (_flushDuration.Enabled)
        {
            _flushDuration.Record(elapsed.TotalSeconds);
        }
    }

    public void Checkpoint() => _checkpoints.Add(1);

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}
