namespace AiOrchestrator.Budgets;

// Snapshots: the state as of a journal offset, written off the writer thread.
public sealed partial class BudgetLedger
{
    /// <summary>
    /// Copies the state as of the end of the journal and writes it to the snapshot file. Entries queued when the
    /// state is copied are written to the journal first, so the snapshot matches the journal's end exactly. The file
    /// is written off the writer thread (unless <paramref name="inline"/>), so group commits go on meanwhile.
    /// With <paramref name="rotate"/>, the live file is then closed into a segment, the snapshot is written for the
    /// start of the new live file (and kept with it for history), and segments beyond the retention are deleted.
    /// </summary>
    private void TakeSnapshot(bool inline, bool rotate = false)
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
            if (rotate)
            {
                // The start of the new segment, for history once the segments before it are deleted: balances and
                // holds only, so the retained segments do not each carry a copy of the idempotency memory.
                _startSnapshotBuffer.Reset(64 * 1024);
                _state.WriteSnapshot(_startSnapshotBuffer, withMemory: false);
            }
        }

        if (tail is not null && !WriteBatch(tail))
        {
            return;
        }

        if (rotate)
        {
            try
            {
                lock (_segments)
                {
                    _journal!.Rotate();
                }
            }
#pragma warning disable CA1031 // Without a live file nothing can be made durable: the failure is reported to every caller.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Fail(_current, ex);
                return;
            }

            _snapshotWriteSegment = _journal.Segment;
            _snapshotWriteOffset = _journal.Length;
            WriteSnapshotFile();
            try
            {
                SnapshotFile.Write(StartSnapshotPath(_journal.Path, _journal.Segment), _journal.Segment, _snapshotWriteOffset, _startSnapshotBuffer.Written);
                lock (_segments)
                {
                    DeleteOldSegments();
                }
            }
#pragma warning disable CA1031 // Old segments only serve history; the ledger is whole without them.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                BudgetLog.SnapshotFailed(_logger, ex);
            }

            return;
        }

        _snapshotWriteSegment = _journal!.Segment;
        _snapshotWriteOffset = _journal.Length;
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
            SnapshotFile.Write(_snapshotPath!, _snapshotWriteSegment, _snapshotWriteOffset, _snapshotBuffer.Written);
            Volatile.Write(ref _snapshotOffset, _snapshotWriteOffset);
            BudgetLog.SnapshotWritten(_logger, _snapshotWriteOffset, _snapshotBuffer.Length);
        }
#pragma warning disable CA1031 // The journal is whole without a snapshot: the next start replays more, nothing is lost.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            BudgetLog.SnapshotFailed(_logger, ex);
        }
        finally
        {
            // The snapshot can be tens of megabytes; it is needed again only at the next snapshot.
            _lastSnapshotBytes = _snapshotBuffer.Length;
            _snapshotBuffer.Reset(64 * 1024);
        }
    }

    /// <summary>Deletes the closed segments (and their start snapshots) beyond <see cref="BudgetOptions.MaxJournalSegments"/>: the snapshot covers them.</summary>
    private void DeleteOldSegments()
    {
        var path = _journal!.Path;
        var closed = FileJournal.ClosedSegments(path);
        for (var i = 0; i < closed.Count - _maxSegments; i++)
        {
            File.Delete(StartSnapshotPath(path, closed[i]));
            File.Delete(FileJournal.SegmentPath(path, closed[i]));
            BudgetLog.SegmentDeleted(_logger, closed[i]);
        }
    }
}
