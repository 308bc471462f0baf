using Microsoft.Extensions.Logging;

namespace AiOrchestrator.Audit;

/// <summary>The audit log's messages (event ids 3400-3499).</summary>
internal static partial class AuditLogMessages
{
    [LoggerMessage(3400, LogLevel.Information, "Audit log {Directory} opened: {Entries} entries verified; cut off {TornBytes} bytes of a torn last record.")]
    public static partial void Opened(ILogger logger, string directory, long entries, long tornBytes);

    [LoggerMessage(3401, LogLevel.Critical, "Audit log write failed; the log refuses further entries until restarted.")]
    public static partial void WriteFailed(ILogger logger, Exception exception);

    [LoggerMessage(3402, LogLevel.Debug, "Audit checkpoint signed: {Entries} entries.")]
    public static partial void CheckpointWritten(ILogger logger, long entries);

    [LoggerMessage(3403, LogLevel.Warning, "Audit checkpoint could not be written; the entries are on disk, the next checkpoint covers them.")]
    public static partial void CheckpointFailed(ILogger logger, Exception exception);

    [LoggerMessage(3404, LogLevel.Warning, "Created a new audit signing key at {Path}. Keep it apart from the log folder in production, and keep its public key to verify checkpoints.")]
    public static partial void SigningKeyCreated(ILogger logger, string path);

    [LoggerMessage(3405, LogLevel.Debug, "Audit segment {Segment} started at entry {Sequence}.")]
    public static partial void SegmentStarted(ILogger logger, long segment, long sequence);
}
