using System.Diagnostics.CodeAnalysis;
using AiOrchestrator.Pipeline;

namespace AiOrchestrator.Safety;

/// <summary>
/// A call refused by the safety policy before it reached the provider (it reserved and cost nothing), or an answer
/// refused before it reached the caller. Names the rule, the type and the scope; never the sensitive value.
/// </summary>
[Experimental(AiCall.ExperimentalDiagnosticId)]
public sealed class SafetyPolicyViolationException : InvalidOperationException
{
    /// <summary>Creates the exception for <paramref name="decision"/>.</summary>
    public SafetyPolicyViolationException(SafetyDecision decision)
        : base(Describe(decision))
    {
        Decision = decision;
    }

    /// <summary>Creates the exception with a message.</summary>
    public SafetyPolicyViolationException()
        : this("A call was refused by the safety policy.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public SafetyPolicyViolationException(string message)
        : base(message)
    {
        Decision = new SafetyDecision { Direction = SafetyDirection.Input, Scope = "(none)", Rule = "default", Blocked = true };
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public SafetyPolicyViolationException(string message, Exception innerException)
        : base(message, innerException)
    {
        Decision = new SafetyDecision { Direction = SafetyDirection.Input, Scope = "(none)", Rule = "default", Blocked = true };
    }

    /// <summary>The full decision (types, counts, actions; no values).</summary>
    public SafetyDecision Decision { get; }

    /// <summary>The rule that blocked: a scope rule's name, or <c>default</c>.</summary>
    public string Rule => Decision.Rule;

    /// <summary>The type that blocked.</summary>
    public SensitiveDataType? FindingType => Decision.BlockedBy;

    /// <summary>The scope of the call, in its text form.</summary>
    public string Scope => Decision.Scope;

    private static string Describe(SafetyDecision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        var where = decision.Direction == SafetyDirection.Input ? "the call's input" : "the model's answer";
        var setting = decision.Rule == "default" ? SafetyOptions.SectionName : $"{SafetyOptions.SectionName}:ScopeRules ('{decision.Rule}')";
        if (decision.BlockedBy == SensitiveDataType.PromptInjection)
        {
            return $"The call was refused: {where} looks like a prompt injection (score {decision.InjectionScore:0.00}; {string.Join(", ", decision.InjectionReasons)}) under safety rule '{decision.Rule}' for scope {decision.Scope}. "
                + $"The provider was not called. If this text is legitimate, raise InjectionThreshold or set InjectionAction to Warn in {setting}.";
        }

        var count = 0;
        foreach (var f in decision.Findings)
        {
            if (f.Type == decision.BlockedBy)
            {
                count = f.Count;
            }
        }

        return $"The call was refused: {where} contains {count} {decision.BlockedBy} value(s), which safety rule '{decision.Rule}' blocks for scope {decision.Scope}. "
            + (decision.Direction == SafetyDirection.Input ? "The provider was not called. " : "The answer was withheld. ")
            + $"Remove the value, or choose Redact for {decision.BlockedBy} in {setting}.";
    }
}
