namespace AiOrchestrator.Budgets;

// Recovery: opening the journal, replaying its segments on top of the snapshot, and repairing a damaged journal.
public sealed partial class BudgetLedger
{
    /// <summary>
    /// Repairs a damaged journal (<see cref="JournalCorruptedException"/>): copies the file to
    /// <c>&lt;path&gt;.corrupt-&lt;timestamp&gt;</c>, then keeps the valid records before the first damaged one and drops
    /// that record and everything after it (their changes are lost from the balances; the copy keeps them). A snapshot
    /// that covers dropped records is moved aside the same way. Run it with no ledger open on the journal.
    /// </summary>
    /// <param name="path">The journal file (the <see cref="BudgetOptions.StorePath"/>).</param>
    /// <returns>What was kept and dropped, and where the copy is.</returns>
    /// <exception cref="IOException">The journal cannot be opened, for example because a ledger has it open.</exception>
    /// <exception cref="InvalidDataException">The file is not a budget journal.</exception>
    public static JournalRepairReport RepairJournal(string path) => FileJournal.Repair(path, TimeProvider.System);

    /// <summary>The snapshot of the state at the start of a segment, kept with the segment for history queries.</summary>
    internal static string StartSnapshotPath(string path, long segment) => FileJournal.SegmentPath(path, segment) + ".start";

    /// <summary>
    /// Rebuilds the state: from the snapshot (or, without one, from the oldest retained segment and the snapshot of
    /// its start), then every journal record after it, segment by segment, ending with the live file.
    /// </summary>
    private static LedgerState Recover(FileJournal journal, string snapshotPath, BudgetOptions options, out long snapshotOffset, out int records, out long torn)
    {
        var path = journal.Path;
        var fromSegment = journal.Segment;
        var fromOffset = journal.DataStart;
        LedgerState? state = null;
        if (SnapshotFile.TryRead(snapshotPath, out var segment, out var offset, out var payload))
        {
            segment = segment < 0 ? journal.Segment : segment;
            var covered = segment == journal.Segment ? offset <= journal.FileLength : segment < journal.Segment && File.Exists(FileJournal.SegmentPath(path, segment));
            if (covered)
            {
                state = LedgerState.ReadSnapshot(payload, options.IdempotencyRetention, options.MaxRememberedCalls);
                (fromSegment, fromOffset) = (segment, offset);
            }
        }

        if (state is null)
        {
            var closed = FileJournal.ClosedSegments(path);
            fromSegment = closed.Count > 0 ? closed[0] : journal.Segment;
            fromOffset = 0;
            state = StartState(path, fromSegment, options.IdempotencyRetention, options.MaxRememberedCalls)
                ?? throw new JournalCorruptedException(snapshotPath, 0,
                    $"the snapshot is missing or damaged and the journal segments before {fromSegment} were deleted, so the state cannot be rebuilt. Restore the snapshot from a backup");
        }

        var count = 0;
        void Apply(JournalEntry entry)
        {
            state.Apply(entry);
            count++;
        }

        for (var s = fromSegment; s < journal.Segment; s++)
        {
            FileJournal.ReadSegment(path, s, s == fromSegment ? fromOffset : 0, Apply);
        }

        snapshotOffset = fromSegment == journal.Segment ? Math.Max(fromOffset, journal.DataStart) : journal.DataStart;
        torn = journal.Recover(snapshotOffset, Apply);
        records = count;
        return state;
    }

    /// <summary>
    /// The state at the start of <paramref name="segment"/>: its start snapshot, or empty for the first segment ever
    /// (null when neither: the segments before it were deleted and its start snapshot is missing).
    /// </summary>
    private static LedgerState? StartState(string path, long segment, TimeSpan retention, int maxCalls)
    {
        if (SnapshotFile.TryRead(StartSnapshotPath(path, segment), out _, out _, out var payload))
        {
            return LedgerState.ReadSnapshot(payload, retention, maxCalls);
        }

        // Segment 0 is a journal written before segments existed, 1 the first of a new one; both start empty.
        return segment <= 1 ? new LedgerState(retention, maxCalls) : null;
    }
}
