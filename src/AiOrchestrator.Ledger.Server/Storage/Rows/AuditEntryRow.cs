namespace AiOrchestrator.Ledger.Server.Storage.Rows;

/// <summary>One audit entry: its canonical bytes and its chain hash (lowercase hex).</summary>
internal sealed record AuditEntryRow(string Organisation, string Source, long Index, byte[] Canonical, string Hash);
