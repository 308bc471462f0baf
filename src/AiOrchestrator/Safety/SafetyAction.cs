using System.Diagnostics.CodeAnalysis;
using AiOrchestrator.Pipeline;

namespace AiOrchestrator.Safety;

/// <summary>What to do with a finding, from the mildest to the strictest.</summary>
[Experimental(AiCall.ExperimentalDiagnosticId)]
public enum SafetyAction
{
    /// <summary>Let it through; counted in metrics only.</summary>
    Allow,

    /// <summary>Let it through and log its type and count (at Information; never the value).</summary>
    Log,

    /// <summary>Let it through, log a warning and list it in the decision's warnings.</summary>
    Warn,

    /// <summary>Replace it with a placeholder before the provider sees it, and put it back in the answer.</summary>
    Redact,

    /// <summary>Refuse the call (a <see cref="SafetyPolicyViolationException"/>); the provider is never called.</summary>
    Block,
}
