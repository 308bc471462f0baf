namespace AiOrchestrator.Budgets;

// Snapshots: the state as of a journal offset, written off the writer thread.
public sealed partial class BudgetLedger
{
    /// <summary>
    /// Copies the state as of the end of the journal and writes it to the snapshot file. Entries queued when the
    /// state is copied are written to the journal first, so the snapshot matches the journal's end exactly. The file
    /// is written off the writer thread (unless <paramref name="inline"/>), so group commits go on meanwhile.
    /// </summary>
    private void TakeSnapshot(bool inline)
    {
        CommitBatch? tail = null;
        lock (_lock)
        {
            if (_current.Entries.Count > 0)
            {
                tail = _current;
                _current = new CommitBatch(_spare ?? []);
                _spare = null;
                _writing = tail;
            }

            _snapshotBuffer.Clear();
            _state.WriteSnapshot(_snapshotBuffer);
        }

        if (tail is not null)
        {
            try
            {
                _journal!.Append(tail.Entries);
                tail.Complete();
            }
#pragma warning disable CA1031 // The failure is kept and reported to every caller from now on.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Fail(tail, ex);
                return;
            }

            Recycle(tail);
        }

        _snapshotWriteOffset = _journal!.Length;
        if (inline)
        {
            WriteSnapshotFile();
        }
        else
        {
            _snapshotWrite = Task.Factory.StartNew(
                static ledger => ((BudgetLedger)ledger!).WriteSnapshotFile(), this, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }
    }

    private void WriteSnapshotFile()
    {
        try
        {
            SnapshotFile.Write(_snapshotPath!, _snapshotWriteOffset, _snapshotBuffer.Written);
            Volatile.Write(ref _snapshotOffset, _snapshotWriteOffset);
            BudgetLog.SnapshotWritten(_logger, _snapshotWriteOffset, _snapshotBuffer.Length);
        }
#pragma warning disable CA1031 // The journal is whole without a snapshot: the next start replays more, nothing is lost.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            BudgetLog.SnapshotFailed(_logger, ex);
        }
    }
}
