using System.Diagnostics.CodeAnalysis;
using AiOrchestrator.Pipeline;

namespace AiOrchestrator.Audit;

/// <summary>
/// The audit log is damaged other than by a torn last write (a changed, missing or reordered entry, or a chain that
/// no longer matches the log's own signed checkpoint). The log refuses to open and changes nothing: a tamper-evident
/// log must not quietly repair evidence of tampering. <see cref="Report"/> says what failed and where.
/// </summary>
[Experimental(AiCall.ExperimentalDiagnosticId)]
public sealed class AuditLogCorruptedException : IOException
{
    /// <summary>Creates the exception from the verifier's report.</summary>
    public AuditLogCorruptedException(AuditVerificationReport report)
        : base(Describe(report))
    {
        Report = report;
    }

    /// <summary>What failed and where.</summary>
    public AuditVerificationReport Report { get; }

    private static string Describe(AuditVerificationReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return $"The audit log is damaged ({report.Failure}{(report.FirstBadSequence is { } s ? $" at entry {s}" : "")}"
            + $"{(report.FilePath is null ? "" : $", {report.FilePath}")}{(report.Offset is { } o ? $" byte {o}" : "")}): {report.Message} "
            + "Nothing was changed. Keep the folder as evidence, inspect it with tools/AuditVerifier, and start a new log in another directory.";
    }
}
