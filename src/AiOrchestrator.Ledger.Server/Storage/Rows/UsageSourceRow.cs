namespace AiOrchestrator.Ledger.Server.Storage.Rows;

/// <summary>Where a usage source's batches are: the last batch sequence applied (0 before the first).</summary>
internal sealed record UsageSourceRow(string Organisation, string Source, long LastSequence, DateTimeOffset UpdatedAt);
