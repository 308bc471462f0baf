namespace AiOrchestrator.Budgets;

/// <summary>
/// The budget journal is damaged before its end: a record that is not the last one fails its checksum or does not
/// follow from the records before it. The ledger refuses to open and changes nothing; repair it with
/// <see cref="BudgetLedger.RepairJournal"/>, which keeps a copy of the file and the valid records before the damage.
/// </summary>
public sealed class JournalCorruptedException : IOException
{
    /// <summary>Creates the exception for a journal file and the byte offset of the first damaged record.</summary>
    public JournalCorruptedException(string path, long offset, string reason, Exception? innerException = null)
        : base($"The budget journal '{path}' is damaged at byte offset {offset}: {reason}. Valid records follow the damage, so it is not a torn "
            + "last write and nothing was cut off. To repair it, stop every process using it and call BudgetLedger.RepairJournal(path): it copies the "
            + "file to '<path>.corrupt-<timestamp>' and keeps the records before the damage, dropping the damaged record and everything after it "
            + "(those changes are lost from the balances; the copy keeps them for inspection).", innerException)
    {
        Path = path;
        Offset = offset;
    }

    /// <summary>The journal file.</summary>
    public string Path { get; }

    /// <summary>The byte offset of the first damaged record.</summary>
    public long Offset { get; }
}
