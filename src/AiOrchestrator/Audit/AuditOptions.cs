using System.Diagnostics.CodeAnalysis;
using AiOrchestrator.Pipeline;

namespace AiOrchestrator.Audit;

/// <summary>
/// Options of the audit log, bindable from configuration (section <see cref="SectionName"/>, bound strictly: an
/// unknown key fails at start).
/// </summary>
[Experimental(AiCall.ExperimentalDiagnosticId)]
public sealed class AuditOptions
{
    /// <summary>The configuration section: <c>AiOrchestrator:Audit</c>.</summary>
    public const string SectionName = "AiOrchestrator:Audit";

    /// <summary>The folder of the log's segment files and checkpoint (required), such as <c>data/audit</c>.</summary>
    public string? Directory { get; set; }

    /// <summary>The log's name in its signed checkpoints (no spaces). Default <c>audit</c>.</summary>
    public string LogId { get; set; } = "audit";

    /// <summary>A segment file is closed and a new one started when the next batch would take it past this size. Default 64 MiB; at least 64 KiB.</summary>
    public long SegmentBytes { get; set; } = 64L << 20;

    /// <summary>
    /// The longest an entry queued with <see cref="IAuditSink.Append"/> waits before its batch is written, so that
    /// entries arriving close together share one flush to disk. Default 10 ms; 0 writes at once. Entries appended
    /// with <see cref="IAuditSink.AppendAsync"/> are written without waiting for it.
    /// </summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>A batch this large is written without waiting for <see cref="FlushInterval"/>. Default 4,096.</summary>
    public int MaxBatchEntries { get; set; } = 4096;

    /// <summary>
    /// At most this many entries wait in memory for the writer; when the disk cannot keep up, <see cref="IAuditSink.Append"/>
    /// waits for room rather than drop an entry or grow without bound. Default 65,536.
    /// </summary>
    public int MaxQueuedEntries { get; set; } = 65536;

    /// <summary>
    /// The PEM file (PKCS#8) of the ECDSA P-256 key that signs checkpoints. Default <c>signing-key.pem</c> in
    /// <see cref="Directory"/>; keep it elsewhere in production (a key next to the log it protects does not stop
    /// someone who can rewrite the folder). The public key is written beside the log as <c>signing-key.pub.pem</c>.
    /// </summary>
    public string? SigningKeyPath { get; set; }

    /// <summary>Creates a new key at <see cref="SigningKeyPath"/> when there is none. Default true.</summary>
    public bool CreateSigningKeyIfMissing { get; set; } = true;

    /// <summary>A signed checkpoint is written at least this often while entries are added. Default 1 minute.</summary>
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>A signed checkpoint is also written after this many new entries. Default 100,000.</summary>
    public long CheckpointEveryEntries { get; set; } = 100_000;
}
