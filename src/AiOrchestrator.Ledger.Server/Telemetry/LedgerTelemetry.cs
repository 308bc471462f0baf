using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace AiOrchestrator.Ledger.Server.Telemetry;

/// <summary>The ledger's ActivitySource and Meter, both named <c>AiOrchestrator.Ledger</c>.</summary>
internal sealed class LedgerTelemetry : IDisposable
{
    public const string Name = "AiOrchestrator.Ledger";

    public static readonly ActivitySource ActivitySource = new(Name);

    private readonly Meter _meter;

    public LedgerTelemetry(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(Name);
        Reservations = _meter.CreateCounter<long>("aiorchestrator.ledger.reservations", "{reservation}", "Reservations made, committed, released or expired (tag: outcome).");
        Leases = _meter.CreateCounter<long>("aiorchestrator.ledger.leases", "{lease}", "Leases granted, renewed, returned or expired (tag: outcome).");
        UsageRecords = _meter.CreateCounter<long>("aiorchestrator.ledger.usage_records", "{record}", "Usage records applied (tag: outcome: accepted or duplicate).");
        Rejections = _meter.CreateCounter<long>("aiorchestrator.ledger.rejections", "{request}", "Requests answered with a problem (tag: type).");
        Spend = _meter.CreateCounter<decimal>("aiorchestrator.ledger.spend", "{currency}", "Spend posted by commits and usage (tag: currency).");
    }

    public Counter<long> Reservations { get; }

    public Counter<long> Leases { get; }

    public Counter<long> UsageRecords { get; }

    public Counter<long> Rejections { get; }

    public Counter<decimal> Spend { get; }

    public void Dispose() => _meter.Dispose();
}
