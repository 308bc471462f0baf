namespace AiOrchestrator.Budgets;

/// <summary>What <see cref="BudgetLedger.RepairJournal"/> did.</summary>
/// <param name="Path">The repaired journal.</param>
/// <param name="BackupPath">The untouched copy of the journal as it was before the repair, or null when nothing needed repair.</param>
/// <param name="KeptRecords">Valid records kept (before the damage).</param>
/// <param name="KeptBytes">The journal's length after the repair.</param>
/// <param name="DroppedBytes">Bytes dropped: the damaged record and everything after it.</param>
/// <param name="DamageOffset">The byte offset of the first damaged record, or null when the journal was intact.</param>
public sealed record JournalRepairReport(string Path, string? BackupPath, long KeptRecords, long KeptBytes, long DroppedBytes, long? DamageOffset);
