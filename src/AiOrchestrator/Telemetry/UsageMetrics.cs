using System.Diagnostics;
using System.Diagnostics.Metrics;
using AiOrchestrator.Metering;

namespace AiOrchestrator;

/// <summary>
/// The metering instruments on meter <c>AiOrchestrator</c>: calls, tokens and cost by scope, provider and model.
/// Durations are left to M.E.AI's <c>UseOpenTelemetry</c>, which already records them.
/// </summary>
internal sealed class UsageMetrics : IDisposable
{
    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _calls;
    private readonly Counter<long> _tokens;
    private readonly Counter<double> _cost;

    public UsageMetrics(IMeterFactory? meterFactory = null)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(AiOrchestratorTelemetry.Name) ?? new Meter(AiOrchestratorTelemetry.Name);
        _calls = _meter.CreateCounter<long>("aiorchestrator.calls", "{call}", "Model calls metered, by outcome.");
        _tokens = _meter.CreateCounter<long>("aiorchestrator.tokens", "{token}", "Tokens used, by type (input, output).");
        _cost = _meter.CreateCounter<double>("aiorchestrator.cost", "{USD}", "Cost of model calls in the price's currency (exact figures are in the usage store).");
    }

    public Meter Meter => _meter;

    public void Record(UsageRecord record)
    {
        if (!_calls.Enabled && !_tokens.Enabled && !_cost.Enabled)
        {
            return;
        }

        var tags = new TagList
        {
            { "gen_ai.provider.name", record.Provider },
            { "gen_ai.response.model", record.Model },
            { "aiorchestrator.organization", record.Scope.Organization },
            { "aiorchestrator.team", record.Scope.Team },
            { "aiorchestrator.app", record.Scope.App },
        };

        if (_cost.Enabled)
        {
            var costTags = tags;
            costTags.Add("aiorchestrator.currency", record.Cost.Currency);
            _cost.Add((double)record.Cost.Amount, costTags);
        }

        if (_tokens.Enabled)
        {
            var input = tags;
            input.Add("gen_ai.token.type", "input");
            _tokens.Add(record.Usage.InputTokens, input);
            var output = tags;
            output.Add("gen_ai.token.type", "output");
            _tokens.Add(record.Usage.OutputTokens, output);
        }

        if (_calls.Enabled)
        {
            tags.Add("aiorchestrator.outcome", OutcomeName(record.Outcome));
            _calls.Add(1, tags);
        }
    }

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    private static string OutcomeName(CallOutcome outcome) => outcome switch
    {
        CallOutcome.Succeeded => "succeeded",
        CallOutcome.Failed => "failed",
        CallOutcome.Cancelled => "cancelled",
        CallOutcome.Abandoned => "abandoned",
        CallOutcome.Rejected => "rejected",
        _ => "unknown",
    };
}
