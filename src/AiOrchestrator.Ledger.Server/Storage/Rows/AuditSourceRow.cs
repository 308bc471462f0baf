namespace AiOrchestrator.Ledger.Server.Storage.Rows;

/// <summary>A source's audit chain: how many entries, and the hash of the last (lowercase hex).</summary>
internal sealed record AuditSourceRow(string Organisation, string Source, long Size, string Head, DateTimeOffset UpdatedAt);
