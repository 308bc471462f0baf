using System.Diagnostics.CodeAnalysis;
using AiOrchestrator.Pipeline;

namespace AiOrchestrator.Safety;

/// <summary>Which side of the call a decision is about.</summary>
[Experimental(AiCall.ExperimentalDiagnosticId)]
public enum SafetyDirection
{
    /// <summary>What the caller sends to the model.</summary>
    Input,

    /// <summary>What the model answers.</summary>
    Output,
}

/// <summary>How many values of one type were found and what was done with them (never the values).</summary>
/// <param name="Type">The type found.</param>
/// <param name="Count">How many findings of it.</param>
/// <param name="Action">What the policy did with them.</param>
[Experimental(AiCall.ExperimentalDiagnosticId)]
public readonly record struct SafetyFindingSummary(SensitiveDataType Type, int Count, SafetyAction Action);

/// <summary>
/// What the safety stage decided for one side of one call: the types found, their counts and actions, the injection
/// score, and whether the call was blocked. It holds no sensitive value, so the audit stage can record it as is.
/// </summary>
[Experimental(AiCall.ExperimentalDiagnosticId)]
public sealed record SafetyDecision
{
    /// <summary>Input or output.</summary>
    public required SafetyDirection Direction { get; init; }

    /// <summary>The scope the policy was chosen for, in its text form.</summary>
    public required string Scope { get; init; }

    /// <summary>The rule that set the policy: a scope rule's name, or <c>default</c>.</summary>
    public required string Rule { get; init; }

    /// <summary>The findings by type, in a stable order (by type name).</summary>
    public IReadOnlyList<SafetyFindingSummary> Findings { get; init; } = [];

    /// <summary>The highest prompt-injection score of the call's texts (0 when not assessed).</summary>
    public double InjectionScore { get; init; }

    /// <summary>The reasons behind <see cref="InjectionScore"/> (rule names, never text).</summary>
    public IReadOnlyList<string> InjectionReasons { get; init; } = [];

    /// <summary>The action taken for the injection score (Allow when below the threshold).</summary>
    public SafetyAction InjectionAction { get; init; }

    /// <summary>True when the call was refused.</summary>
    public bool Blocked { get; init; }

    /// <summary>The type that blocked the call (<see cref="SensitiveDataType.PromptInjection"/> for an injection), when <see cref="Blocked"/>.</summary>
    public SensitiveDataType? BlockedBy { get; init; }

    /// <summary>True when a value was replaced by a placeholder.</summary>
    public bool Redacted { get; init; }

    /// <summary>True when a detector ran out of time, so the text may hold more than was found.</summary>
    public bool Incomplete { get; init; }

    /// <summary>The total number of findings.</summary>
    public int FindingCount
    {
        get
        {
            var n = 0;
            foreach (var f in Findings)
            {
                n += f.Count;
            }

            return n;
        }
    }
}
