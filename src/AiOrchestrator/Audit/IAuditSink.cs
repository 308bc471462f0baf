using System.Diagnostics.CodeAnalysis;
using AiOrchestrator.Pipeline;

namespace AiOrchestrator.Audit;

/// <summary>
/// Where pipeline stages record their decisions. <see cref="Append"/> is what a stage calls on the request path: it
/// queues the entry and returns at once (the background writer puts it on disk with the next batch, one flush for
/// many entries); <see cref="AppendAsync"/> is for callers that must not go on before the entry is durable.
/// </summary>
[Experimental(AiCall.ExperimentalDiagnosticId)]
public interface IAuditSink
{
    /// <summary>Queues an entry without waiting for the disk; returns its sequence number.</summary>
    /// <exception cref="ArgumentException">A field is too long for an audit entry (names are at most 256 characters).</exception>
    /// <exception cref="InvalidOperationException">The log has stopped after a write failure, or is disposed.</exception>
    long Append(in AuditEvent auditEvent);

    /// <summary>Appends an entry and completes, with its sequence number, once it is on disk.</summary>
    Task<long> AppendAsync(AuditEvent auditEvent, CancellationToken cancellationToken = default);
}
