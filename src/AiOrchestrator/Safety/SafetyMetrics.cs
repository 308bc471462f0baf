using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace AiOrchestrator.Safety;

/// <summary>
/// Safety instruments on the <c>AiOrchestrator</c> meter: findings by type, action and direction, and decisions by
/// outcome. Tagged by type and action only (never values, never tenants).
/// </summary>
internal sealed class SafetyMetrics : IDisposable
{
    private readonly Meter _meter;
    private readonly bool _ownsMeter;

    public SafetyMetrics(IMeterFactory? meterFactory)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(new MeterOptions("AiOrchestrator")) ?? new Meter("AiOrchestrator");
        Findings = _meter.CreateCounter<long>("aiorchestrator.safety.findings", "{finding}", "Sensitive values found, by type, action and direction.");
        Decisions = _meter.CreateCounter<long>("aiorchestrator.safety.decisions", "{decision}", "Safety decisions, by outcome (allowed, redacted, blocked) and direction.");
        Incomplete = _meter.CreateCounter<long>("aiorchestrator.safety.incomplete_scans", "{scan}", "Scans cut short by a detector's timeout.");
    }

    public Counter<long> Findings { get; }

    public Counter<long> Decisions { get; }

    public Counter<long> Incomplete { get; }

    public void Record(SafetyDecision decision)
    {
        var direction = decision.Direction == SafetyDirection.Input ? "input" : "output";
        if (Findings.Enabled)
        {
            foreach (var f in decision.Findings)
            {
                Findings.Add(f.Count, new TagList
                {
                    { "aiorchestrator.safety.type", f.Type.Name },
                    { "aiorchestrator.safety.action", ActionName(f.Action) },
                    { "aiorchestrator.safety.direction", direction },
                });
            }
        }

        if (Decisions.Enabled)
        {
            var outcome = decision.Blocked ? "blocked" : decision.Redacted ? "redacted" : "allowed";
            Decisions.Add(1, new TagList { { "aiorchestrator.safety.outcome", outcome }, { "aiorchestrator.safety.direction", direction } });
        }

        if (decision.Incomplete && Incomplete.Enabled)
        {
            Incomplete.Add(1, new TagList { { "aiorchestrator.safety.direction", direction } });
        }
    }

    private static string ActionName(SafetyAction action) => action switch
    {
        SafetyAction.Allow => "allow",
        SafetyAction.Log => "log",
        SafetyAction.Warn => "warn",
        SafetyAction.Redact => "redact",
        _ => "block",
    };

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}
