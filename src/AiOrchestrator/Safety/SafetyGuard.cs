using System.Globalization;
using AiOrchestrator.Audit;
using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Metrics;
using AiOrchestrator.Pipeline;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AiOrchestrator.Safety;

/// <summary>
/// The safety rules of a call, shared by the <c>IChatClient</c> stage and the <c>HttpClient</c> handlers: scans the
/// call's texts, applies the scope's policy (block, redact, warn, log), assesses prompt injection, and on the way
/// back restores redacted values and filters the answer. Logs and metrics carry types and counts, never values.
/// </summary>
[Experimental(AiCall.ExperimentalDiagnosticId)]
public sealed partial class SafetyGuard : IDisposable
{
    private const string DefaultRule = "default";

    private readonly SafetyOptions _options;
    private readonly SensitiveDataScanner _scanner;
    private readonly IPromptInjectionDetector[] _injectionDetectors;
    private readonly ILogger _logger;
    private int _auditFailureLogged;
    private readonly SafetyMetrics _metrics;

    /// <summary>Creates the guard.</summary>
    /// <param name="options">The policy.</param>
    /// <param name="scanner">The scanner; defaults to one built from <see cref="SafetyOptions.Detection"/>.</param>
    /// <param name="injectionDetectors">Injection detectors; defaults to the <see cref="HeuristicPromptInjectionDetector"/>.</param>
    /// <param name="logger">Where decisions are logged.</param>
    /// <param name="meterFactory">Where the instruments are created.</param>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">The options are invalid.</exception>
    public SafetyGuard(SafetyOptions options, SensitiveDataScanner? scanner = null, IEnumerable<IPromptInjectionDetector>? injectionDetectors = null, ILogger<SafetyGuard>? logger = null, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = SafetyOptionsValidator.Collect(options);
        if (failures.Count > 0)
        {
            throw new Microsoft.Extensions.Options.OptionsValidationException(Microsoft.Extensions.Options.Options.DefaultName, typeof(SafetyOptions), failures);
        }

        _options = options;
        _scanner = scanner ?? new SensitiveDataScanner(options.Detection);
        var detectors = injectionDetectors?.ToArray() ?? [];
        _injectionDetectors = detectors.Length > 0 ? detectors : [HeuristicPromptInjectionDetector.Instance];
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _metrics = new SafetyMetrics(meterFactory);
    }

    /// <summary>The scanner the guard uses.</summary>
    public SensitiveDataScanner Scanner => _scanner;

    /// <summary>
    /// Checks the texts of one call (messages, tool results, tool-call argument JSON, documents) for
    /// <paramref name="scope"/>: returns them with redacted values replaced by placeholders, the decision, and the
    /// session that restores the answer.
    /// </summary>
    /// <exception cref="SafetyPolicyViolationException">The policy blocks the call; the provider must not be called.</exception>
    /// <remarks>
    /// Given the call's <paramref name="callId"/> and an audit log registered, a redaction or a block is appended to the
    /// log under that id (rule, direction, types and counts; never a value). Both pipelines' stages pass it.
    /// </remarks>
    public async ValueTask<SafetyInputResult> CheckInputAsync(IReadOnlyList<SafetyText> texts, AiScope? scope = null, AiCallId? callId = null, CancellationToken cancellationToken = default)
    {
        try
        {
            var result = await CheckInputCoreAsync(texts, scope, cancellationToken).ConfigureAwait(false);
            // The input decision is always one to keep: redacted, or allowed as it was (findings only warned about or
            // logged are listed in the entry's reason).
            Audited(result.Decision.Redacted ? AuditEntryKind.Redacted : AuditEntryKind.Allowed, result.Decision, callId, scope);
            return result;
        }
        catch (SafetyPolicyViolationException ex)
        {
            Audited(AuditEntryKind.Blocked, ex.Decision, callId, scope);
            throw;
        }
    }

    /// <summary>Where decisions are audited, when an audit log is registered.</summary>
    internal IAuditSink? Audit { get; init; }

    private void Audited(AuditEntryKind? kind, SafetyDecision decision, AiCallId? callId, AiScope? scope)
    {
        if (Audit is null || kind is not { } entryKind || callId is not { } id)
        {
            return;
        }

        var found = string.Join(",", decision.Findings.Select(f => f.Type.Name + ":" + f.Count.ToString(CultureInfo.InvariantCulture)));
        var reason = decision.Direction + (decision.BlockedBy is { } by ? " blocked by " + by.Name : string.Empty) + (found.Length > 0 ? " " + found : string.Empty);
        var attributes = AuditAttributes.Of(AuditAttributeKey.Rule, Short("safety:" + decision.Rule)).With(AuditAttributeKey.Reason, Short(reason));
        AuditStage.Append(Audit, new AuditEvent(entryKind, id) { Scope = scope, Attributes = attributes }, _logger, ref _auditFailureLogged);

        static string Short(string value) => value.Length <= AuditAttributes.MaxValueLength ? value : value[..AuditAttributes.MaxValueLength];
    }

    private async ValueTask<SafetyInputResult> CheckInputCoreAsync(IReadOnlyList<SafetyText> texts, AiScope? scope, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(texts);
        scope ??= new AiScope();
        var (rule, ruleName) = RuleFor(scope);
        var counts = new SortedDictionary<string, (SensitiveDataType Type, int Count, SafetyAction Action)>(StringComparer.Ordinal);
        var perText = new List<SensitiveDataFinding>[texts.Count];
        var complete = true;
        for (var i = 0; i < texts.Count; i++)
        {
            if (texts[i].Text is null)
            {
                throw new ArgumentException($"Text {i} of the call is null; pass an empty string for an empty message.", nameof(texts));
            }

            var list = new List<SensitiveDataFinding>();
            _scanner.Scan(texts[i].Text.AsSpan(), list, out var textComplete);
            complete &= textComplete;
            perText[i] = list;
            foreach (var f in list)
            {
                var action = InputAction(f.Type, rule);
                counts[f.Type.Name] = counts.TryGetValue(f.Type.Name, out var c) ? (f.Type, c.Count + 1, action) : (f.Type, 1, action);
            }
        }

        var summaries = Summaries(counts);
        var decision = new SafetyDecision
        {
            Direction = SafetyDirection.Input,
            Scope = scope.ToString(),
            Rule = ruleName,
            Findings = summaries,
            Incomplete = !complete,
        };

        foreach (var s in summaries)
        {
            if (s.Action == SafetyAction.Block)
            {
                throw Blocked(decision with { Blocked = true, BlockedBy = s.Type });
            }
        }

        var session = new RedactionSession(Texts(texts));
        var output = new string[texts.Count];
        var redacted = false;
        for (var i = 0; i < texts.Count; i++)
        {
            var toRedact = perText[i].FindAll(f => InputAction(f.Type, rule) == SafetyAction.Redact);
            output[i] = toRedact.Count == 0 ? texts[i].Text : session.Redact(texts[i].Text, toRedact);
            redacted |= toRedact.Count > 0;
        }

        decision = decision with { Redacted = redacted };

        // Injection is judged on the redacted texts, so a model-based judge never sees a redacted value.
        var threshold = rule?.InjectionThreshold ?? _options.InjectionThreshold;
        var injectionAction = rule?.InjectionAction ?? _options.InjectionAction;
        if (injectionAction != SafetyAction.Allow || _logger.IsEnabled(LogLevel.Debug))
        {
            PromptInjectionAssessment? worst = null;
            for (var i = 0; i < texts.Count; i++)
            {
                if (texts[i].Kind is not (SafetyTextKind.User or SafetyTextKind.ToolResult or SafetyTextKind.Document))
                {
                    continue;
                }

                foreach (var detector in _injectionDetectors)
                {
                    var assessment = await detector.AssessAsync(output[i], texts[i].Kind, cancellationToken).ConfigureAwait(false);
                    if (worst is null || assessment.Score > worst.Score)
                    {
                        worst = assessment;
                    }
                }
            }

            if (worst is not null && worst.Score > 0)
            {
                var over = worst.Score >= threshold;
                decision = decision with
                {
                    InjectionScore = worst.Score,
                    InjectionReasons = worst.Reasons,
                    InjectionAction = over ? injectionAction : SafetyAction.Allow,
                };
                if (over)
                {
                    switch (injectionAction)
                    {
                        case SafetyAction.Block:
                            throw Blocked(decision with { Blocked = true, BlockedBy = SensitiveDataType.PromptInjection });
                        case SafetyAction.Warn or SafetyAction.Log:
                            var level = injectionAction == SafetyAction.Warn ? LogLevel.Warning : LogLevel.Information;
                            LogInjection(_logger, level, worst.Score, worst.Reasons, decision.Scope, decision.Rule);

                            break;
                    }
                }
            }
        }

        Report(decision);
        return new SafetyInputResult(output, decision, session);
    }

    /// <summary>
    /// Filters the model's answer <paramref name="text"/> (secrets and personal data the answer itself contains) and
    /// restores the call's placeholders in it. Pass <see cref="SafetyTextKind.ToolCallArguments"/> for raw JSON
    /// (restored values are JSON-escaped). Redacted output values become <c>[REDACTED_TYPE]</c>, which cannot be restored.
    /// </summary>
    /// <exception cref="SafetyPolicyViolationException">The policy blocks the answer.</exception>
    /// <remarks>Given the call's <paramref name="callId"/>, a filtered or blocked answer is audited under that id when an audit log is registered.</remarks>
    public SafetyOutputResult CheckOutput(string text, RedactionSession session, AiScope? scope = null, SafetyTextKind kind = SafetyTextKind.Assistant, AiCallId? callId = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(session);
        var filter = new OutputFilter(this, scope, callId);
        var filtered = filter.Apply(text, 0, text.Length, filter.Scan(text, 0));
        var decision = filter.Complete();
        var restored = kind == SafetyTextKind.ToolCallArguments ? session.RestoreJson(filtered) : session.Restore(filtered);
        return new SafetyOutputResult(restored, decision);
    }

    /// <summary>
    /// A restorer for a streamed answer that also applies the output policy of <paramref name="scope"/>: feed it the
    /// chunks, then flush it. When the policy redacts or blocks output findings, it holds back the last
    /// <see cref="SafetyOptions.StreamingHoldBack"/> characters (and never splits a word or a value it has found), so
    /// a value split across chunks is found whole; the decision for the whole answer is reported at the flush.
    /// </summary>
    /// <param name="session">The call's redaction session.</param>
    /// <param name="scope">The call's scope.</param>
    /// <param name="kind"><see cref="SafetyTextKind.ToolCallArguments"/> for raw JSON (restored values are JSON-escaped).</param>
    /// <param name="callId">The call's id, for the audit log.</param>
    public StreamingRestorer CreateStreamingOutput(RedactionSession session, AiScope? scope = null, SafetyTextKind kind = SafetyTextKind.Assistant, AiCallId? callId = null)
    {
        ArgumentNullException.ThrowIfNull(session);
        return new StreamingRestorer(session, kind == SafetyTextKind.ToolCallArguments, new OutputFilter(this, scope, callId), _options.StreamingHoldBack);
    }

    /// <summary>
    /// Applies the output policy of <paramref name="scope"/> to a text that repeats what a stream already gave out
    /// (the Responses API's done events): redacted and restored like the stream, not counted or audited again.
    /// </summary>
    /// <param name="text">The repeated text.</param>
    /// <param name="session">The call's redaction session.</param>
    /// <param name="scope">The call's scope.</param>
    /// <param name="kind"><see cref="SafetyTextKind.ToolCallArguments"/> for raw JSON.</param>
    public string FilterRepeatedOutput(string text, RedactionSession session, AiScope? scope, SafetyTextKind kind)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(session);
        var filter = new OutputFilter(this, scope, callId: null);
        var filtered = filter.ChangesText ? filter.Apply(text, 0, text.Length, filter.Scan(text, 0)) : text;
        return kind == SafetyTextKind.ToolCallArguments ? session.RestoreJson(filtered) : session.Restore(filtered);
    }

    /// <summary>True when the output policy for <paramref name="scope"/> redacts or blocks some type (a stream must then be filtered).</summary>
    /// <param name="scope">The call's scope.</param>
    public bool OutputMayChangeText(AiScope? scope) => OutputMayChangeText(RuleFor(scope ?? new AiScope()).Rule);

    /// <summary>True when an output action of <paramref name="rule"/> (or the defaults) redacts or blocks.</summary>
    internal bool OutputMayChangeText(SafetyScopeRule? rule)
    {
        static bool Changes(SafetyAction? a) => a is SafetyAction.Redact or SafetyAction.Block;
        if (Changes(rule?.OutputSecrets ?? _options.OutputSecrets) || Changes(rule?.OutputPersonalData ?? _options.OutputPersonalData))
        {
            return true;
        }

        foreach (var (_, action) in _options.OutputActions)
        {
            if (Changes(action))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Counts, logs and audits an output block; returns the exception to throw.</summary>
    internal SafetyPolicyViolationException BlockedOutput(SafetyDecision decision, AiCallId? callId, AiScope scope)
    {
        var ex = Blocked(decision);
        Audited(AuditEntryKind.Blocked, decision, callId, scope);
        return ex;
    }

    /// <summary>Counts, logs and (when something was redacted) audits an output decision.</summary>
    internal void ReportOutput(SafetyDecision decision, AiCallId? callId, AiScope scope)
    {
        Report(decision);
        Audited(decision.Redacted ? AuditEntryKind.Redacted : null, decision, callId, scope);
    }

    /// <inheritdoc/>
    public void Dispose() => _metrics.Dispose();

    internal (SafetyScopeRule? Rule, string Name) RuleFor(AiScope scope)
    {
        for (var i = 0; i < _options.ScopeRules.Count; i++)
        {
            var rule = _options.ScopeRules[i];
            if (rule.Matches(scope))
            {
                return (rule, rule.Name ?? $"ScopeRules:{i}");
            }
        }

        return (null, DefaultRule);
    }

    internal SafetyAction InputAction(SensitiveDataType type, SafetyScopeRule? rule)
    {
        if (rule is not null)
        {
            if (rule.Actions.TryGetValue(type.Name, out var a))
            {
                return a;
            }

            if (type.IsSecret && rule.Secrets is { } s)
            {
                return s;
            }

            if (type.IsPersonalData && rule.PersonalData is { } p)
            {
                return p;
            }
        }

        return _options.Actions.TryGetValue(type.Name, out var action) ? action
            : type.IsSecret ? _options.Secrets
            : type.IsPersonalData ? _options.PersonalData
            : _options.OtherTypes;
    }

    internal SafetyAction OutputAction(SensitiveDataType type, SafetyScopeRule? rule)
    {
        if (rule is not null)
        {
            if (type.IsSecret && rule.OutputSecrets is { } s)
            {
                return s;
            }

            if (type.IsPersonalData && rule.OutputPersonalData is { } p)
            {
                return p;
            }
        }

        return _options.OutputActions.TryGetValue(type.Name, out var action) ? action
            : type.IsSecret ? _options.OutputSecrets
            : type.IsPersonalData ? _options.OutputPersonalData
            : SafetyAction.Log;
    }

    private static IEnumerable<string> Texts(IReadOnlyList<SafetyText> texts)
    {
        foreach (var t in texts)
        {
            yield return t.Text;
        }
    }

    internal static SafetyFindingSummary[] Summaries(SortedDictionary<string, (SensitiveDataType Type, int Count, SafetyAction Action)> counts)
    {
        if (counts.Count == 0)
        {
            return [];
        }

        var result = new SafetyFindingSummary[counts.Count];
        var i = 0;
        foreach (var (_, v) in counts)
        {
            result[i++] = new SafetyFindingSummary(v.Type, v.Count, v.Action);
        }

        return result;
    }

    private SafetyPolicyViolationException Blocked(SafetyDecision decision)
    {
        _metrics.Record(decision);
        LogBlocked(_logger, decision.Direction, decision.BlockedBy?.Name ?? "?", decision.Rule, decision.Scope);
        return new SafetyPolicyViolationException(decision);
    }

    private void Report(SafetyDecision decision)
    {
        _metrics.Record(decision);
        foreach (var f in decision.Findings)
        {
            if (f.Action == SafetyAction.Warn)
            {
                LogFinding(_logger, LogLevel.Warning, f.Count, f.Type.Name, decision.Direction, f.Action, decision.Scope, decision.Rule);
            }
            else if (f.Action == SafetyAction.Log)
            {
                LogFinding(_logger, LogLevel.Information, f.Count, f.Type.Name, decision.Direction, f.Action, decision.Scope, decision.Rule);
            }
        }

        if (decision.Incomplete)
        {
            LogIncomplete(_logger, decision.Direction, decision.Scope);
        }
    }

    [LoggerMessage(EventId = 5001, Message = "Safety found {Count} {Type} value(s) in the {Direction} (action {Action}) for scope {Scope} under rule '{Rule}'.")]
    private static partial void LogFinding(ILogger logger, LogLevel level, int count, string type, SafetyDirection direction, SafetyAction action, string scope, string rule);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Warning, Message = "Safety blocked the {Direction}: {Type} under rule '{Rule}' for scope {Scope}.")]
    private static partial void LogBlocked(ILogger logger, SafetyDirection direction, string type, string rule, string scope);

    [LoggerMessage(EventId = 5003, Message = "Possible prompt injection (score {Score}; {Reasons}) for scope {Scope} under rule '{Rule}'; let through by policy.")]
    private static partial void LogInjection(ILogger logger, LogLevel level, double score, IReadOnlyList<string> reasons, string scope, string rule);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Warning, Message = "A safety scan of the {Direction} for scope {Scope} stopped at a detector's time limit; the text may hold more than was found. Counted in aiorchestrator.safety.incomplete_scans.")]
    private static partial void LogIncomplete(ILogger logger, SafetyDirection direction, string scope);
}
