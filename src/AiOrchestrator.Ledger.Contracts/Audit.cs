namespace AiOrchestrator.Ledger;

/// <summary>Audit entries that extend one source's hash chain, in order, starting right after its current head.</summary>
/// <param name="Source">A stable id of the audit log (one per process or log file).</param>
/// <param name="Entries">1 to 5,000 entries.</param>
public sealed record AuditEntriesRequest(string Source, IReadOnlyList<AuditEntryUpload> Entries);

/// <summary>One audit entry as the local log wrote it.</summary>
/// <param name="Index">Its 0-based position in the chain.</param>
/// <param name="Canonical">Its canonical serialisation, base64.</param>
/// <param name="Hash">Its chain hash (lowercase hex), which the ledger recomputes from the previous hash and the canonical bytes.</param>
public sealed record AuditEntryUpload(long Index, string Canonical, string Hash);

/// <summary>A source's chain after an upload.</summary>
/// <param name="Source">The source.</param>
/// <param name="Size">Entries held.</param>
/// <param name="Head">The hash of the last entry (lowercase hex).</param>
public sealed record AuditChainResponse(string Source, long Size, string Head);

/// <summary>A signed checkpoint of a source's log, anchored in the ledger so truncation and rewrites are detected.</summary>
/// <param name="Source">The source.</param>
/// <param name="Size">Entries covered.</param>
/// <param name="RootHash">The Merkle root over those entries (lowercase hex).</param>
/// <param name="At">When it was taken.</param>
/// <param name="Signature">Its signature, base64.</param>
/// <param name="KeyId">The signing key's id.</param>
public sealed record CheckpointRequest(string Source, long Size, string RootHash, DateTimeOffset At, string Signature, string? KeyId);

/// <summary>An anchored checkpoint.</summary>
/// <param name="Source">The source.</param>
/// <param name="Size">Entries covered.</param>
/// <param name="RootHash">The Merkle root (lowercase hex).</param>
/// <param name="At">When it was taken.</param>
/// <param name="Signature">Its signature, base64.</param>
/// <param name="KeyId">The signing key's id.</param>
/// <param name="AnchoredAt">When the ledger received it.</param>
public sealed record CheckpointResponse(string Source, long Size, string RootHash, DateTimeOffset At, string Signature, string? KeyId, DateTimeOffset AnchoredAt);
