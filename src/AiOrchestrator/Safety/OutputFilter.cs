using System.Text;

namespace AiOrchestrator.Safety;

/// <summary>
/// The output policy of one answer text (whole, or streamed in segments): scans each segment, counts its findings,
/// blocks when a finding's output action is block, replaces the values whose action is redact with
/// <c>[REDACTED_TYPE]</c>, and at the end reports one decision for the whole text. The one place where output
/// findings meet the policy, for buffered and streamed answers and both pipelines.
/// </summary>
internal sealed class OutputFilter
{
    private readonly SafetyGuard _guard;
    private readonly SafetyScopeRule? _rule;
    private readonly string _ruleName;
    private readonly AiScope _scope;
    private readonly AiCallId? _callId;
    private readonly SortedDictionary<string, (SensitiveDataType Type, int Count, SafetyAction Action)> _counts = new(StringComparer.Ordinal);
    private readonly List<SensitiveDataFinding> _findings = [];
    private bool _incomplete;
    private bool _redacted;
    private SafetyDecision? _completed;

    public OutputFilter(SafetyGuard guard, AiScope? scope, AiCallId? callId)
    {
        _guard = guard;
        _scope = scope ?? new AiScope();
        _callId = callId;
        (_rule, _ruleName) = guard.RuleFor(_scope);
        ChangesText = guard.OutputMayChangeText(_rule);
    }

    /// <summary>True when some output action of the scope's rule is redact or block (a stream must be held back to apply it).</summary>
    public bool ChangesText { get; }

    /// <summary>
    /// Scans <paramref name="text"/> and returns its findings that end after <paramref name="from"/>, in order,
    /// without applying them; <paramref name="text"/>[..<paramref name="from"/>] is left context only.
    /// </summary>
    public List<SensitiveDataFinding> Scan(string text, int from)
    {
        _findings.Clear();
        _guard.Scanner.Scan(text.AsSpan(), _findings, out var complete);
        _incomplete |= !complete;
        if (from > 0)
        {
            _findings.RemoveAll(f => f.End <= from);
        }

        return _findings;
    }

    /// <summary>
    /// Applies the policy to <paramref name="text"/>[<paramref name="from"/>..<paramref name="to"/>] given its
    /// <paramref name="findings"/> (positions in <paramref name="text"/>; those that end after <paramref name="to"/>
    /// are not applied): counts them, blocks or redacts. Returns the filtered segment.
    /// </summary>
    /// <exception cref="SafetyPolicyViolationException">A finding's output action is block.</exception>
    public string Apply(string text, int from, int to, List<SensitiveDataFinding> findings)
    {
        StringBuilder? sb = null;
        var copied = from;
        foreach (var f in findings)
        {
            if (f.End > to || f.End <= from)
            {
                continue;
            }

            var action = _guard.OutputAction(f.Type, _rule);
            _counts[f.Type.Name] = _counts.TryGetValue(f.Type.Name, out var c) ? (f.Type, c.Count + 1, action) : (f.Type, 1, action);
            if (action == SafetyAction.Block)
            {
                var blocked = Decision() with { Blocked = true, BlockedBy = f.Type };
                _completed = blocked;
                throw _guard.BlockedOutput(blocked, _callId, _scope);
            }

            if (action == SafetyAction.Redact)
            {
                // A value that began in text already given out is redacted from where this segment starts.
                var start = Math.Max(f.Start, copied);
                sb ??= new StringBuilder(to - from + 16);
                sb.Append(text, copied, start - copied).Append("[REDACTED_").Append(f.Type.Name).Append(']');
                copied = f.End;
                _redacted = true;
            }
        }

        if (sb is null)
        {
            return from == 0 && to == text.Length ? text : text[from..to];
        }

        return sb.Append(text, copied, to - copied).ToString();
    }

    /// <summary>Reports the decision for everything applied (once); later calls return it again.</summary>
    public SafetyDecision Complete()
    {
        if (_completed is { } done)
        {
            return done;
        }

        var decision = Decision();
        _completed = decision;
        _guard.ReportOutput(decision, _callId, _scope);
        return decision;
    }

    private SafetyDecision Decision() => new()
    {
        Direction = SafetyDirection.Output,
        Scope = _scope.ToString(),
        Rule = _ruleName,
        Findings = SafetyGuard.Summaries(_counts),
        Incomplete = _incomplete,
        Redacted = _redacted,
    };
}
