using System.Diagnostics.CodeAnalysis;
using AiOrchestrator.Pipeline;

namespace AiOrchestrator.Audit;

/// <summary>
/// The names an audit entry's attributes can have. The set is closed on purpose: an entry carries rule names,
/// reasons and identifiers, never prompt or response text, and there is no free-form key to put text under.
/// The numeric values fix the order in the canonical form and never change.
/// </summary>
[Experimental(AiCall.ExperimentalDiagnosticId)]
public enum AuditAttributeKey
{
    /// <summary>The policy or rule that decided (for example <c>pii.email</c>).</summary>
    Rule = 1,

    /// <summary>A short, fixed reason code or sentence (for example <c>budget_exhausted</c>).</summary>
    Reason = 2,

    /// <summary>The wallet concerned (for example <c>team:acme/search</c>).</summary>
    Wallet = 3,

    /// <summary>The model alias or route that was resolved.</summary>
    Route = 4,

    /// <summary>The limit that applied (for example <c>tpm:acme</c>).</summary>
    Limit = 5,

    /// <summary>The cache partition.</summary>
    Partition = 6,

    /// <summary>The configuration key that changed.</summary>
    Setting = 7,

    /// <summary>Who made an administrative change (an operator id, never a secret).</summary>
    Actor = 8,

    /// <summary>A reservation, idempotency key or other identifier the decision refers to.</summary>
    Reference = 9,

    /// <summary>How many values were redacted or matched, as a number.</summary>
    Count = 10,
}
