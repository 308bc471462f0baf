using System.Diagnostics.Metrics;

namespace AiOrchestrator.Ledger.Client;

/// <summary>The ledger client's instruments, on the <c>AiOrchestrator</c> meter.</summary>
internal sealed class LedgerClientMetrics : IDisposable
{
    private readonly Meter _meter;
    private readonly Counter<long> _leases;
    private readonly Counter<long> _uploaded;
    private readonly Counter<long> _refusals;
    private readonly Counter<long> _fallbackReservations;
    private readonly Counter<double> _fallbackSpend;
    private readonly Counter<double> _uncovered;

    public LedgerClientMetrics(IMeterFactory? meterFactory)
    {
        _meter = meterFactory?.Create(AiOrchestratorTelemetry.Name) ?? new Meter(AiOrchestratorTelemetry.Name);
        _leases = _meter.CreateCounter<long>("aiorchestrator.ledger.leases", "{lease}", "Leases taken, renewed and returned (attribute operation).");
        _uploaded = _meter.CreateCounter<long>("aiorchestrator.ledger.usage.uploaded", "{record}", "Usage records the ledger received from the outbox.");
        _refusals = _meter.CreateCounter<long>("aiorchestrator.ledger.refusals", "{call}", "Calls refused because the leases could not cover them (attribute reason).");
        _fallbackReservations = _meter.CreateCounter<long>("aiorchestrator.ledger.fallback.reservations", "{call}", "Calls held on the fallback allowance while the ledger was unreachable.");
        _fallbackSpend = _meter.CreateCounter<double>("aiorchestrator.ledger.fallback.spend", "{currency}", "Spend from the fallback allowance while the ledger was unreachable.");
        _uncovered = _meter.CreateCounter<double>("aiorchestrator.ledger.uncovered.spend", "{currency}", "Spend no open lease covered (overruns, late settles, fallback): the overspend bound's parts.");
    }

    public void ObserveOutbox(Func<long> depth)
        => _meter.CreateObservableGauge("aiorchestrator.ledger.outbox.depth", depth, "{record}", "Usage records waiting in the outbox.");

    public void RecordLease(string operation) => _leases.Add(1, new KeyValuePair<string, object?>("operation", operation));

    public void RecordUploaded(int count) => _uploaded.Add(count);

    public void RecordRefusal(string reason) => _refusals.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void RecordFallbackReservation() => _fallbackReservations.Add(1);

    public void RecordFallbackSpend(Money amount) => _fallbackSpend.Add((double)amount.Amount, new KeyValuePair<string, object?>("currency", amount.Currency));

    public void RecordUncovered(Money amount) => _uncovered.Add((double)amount.Amount, new KeyValuePair<string, object?>("currency", amount.Currency));

    public void Dispose() => _meter.Dispose();
}
