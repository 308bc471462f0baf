using System.Diagnostics.CodeAnalysis;
using AiOrchestrator.Pipeline;

namespace AiOrchestrator.Audit;

/// <summary>
/// A decision to record, as a pipeline stage hands it to <see cref="IAuditSink.Append"/>: the log adds the sequence
/// number, the time and the previous entry's hash, and turns it into an <see cref="AuditEntry"/>.
/// </summary>
/// <remarks>
/// There is deliberately no field for prompt or response text: a decision is recorded by its kind, the call id, who
/// it was for, the model, an amount and a few short <see cref="AuditAttributes"/> (rule names, reasons, ids).
/// </remarks>
[Experimental(AiCall.ExperimentalDiagnosticId)]
public readonly record struct AuditEvent
{
    /// <summary>Creates an event of a kind for a call.</summary>
    public AuditEvent(AuditEntryKind kind, AiCallId callId)
    {
        Kind = kind;
        CallId = callId;
    }

    /// <summary>What was decided.</summary>
    public AuditEntryKind Kind { get; init; }

    /// <summary>The call the decision is about (the id that also keys the ledger and the usage record); empty for administrative entries.</summary>
    public AiCallId CallId { get; init; }

    /// <summary>Who the call was for. Its organisation, team, user, app and feature are recorded; its free tags are not.</summary>
    public AiScope? Scope { get; init; }

    /// <summary>The provider, when one was chosen.</summary>
    public string? Provider { get; init; }

    /// <summary>The model, when one was chosen.</summary>
    public string? Model { get; init; }

    /// <summary>The amount the decision concerns (reserved, settled, released, overrun), exact.</summary>
    public decimal? Amount { get; init; }

    /// <summary>The currency of <see cref="Amount"/> (ISO 4217, such as <c>USD</c>).</summary>
    public string? Currency { get; init; }

    /// <summary>Rule names, reasons and ids.</summary>
    public AuditAttributes Attributes { get; init; }
}
