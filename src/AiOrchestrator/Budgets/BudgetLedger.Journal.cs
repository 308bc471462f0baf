namespace AiOrchestrator.Budgets;

// The group-commit journal writer: one thread writes the queued entries of many callers with one flush.
public sealed partial class BudgetLedger
{
    /// <inheritdoc/>
    public Task FlushAsync(CancellationToken cancellationToken = default)
    {
        Task task;
        lock (_lock)
        {
            if (_current.Entries.Count > 0)
            {
                task = _current.Durable;
                Wake();
            }
            else
            {
                task = _writing?.Durable ?? Task.CompletedTask;
            }
        }

        return task.WaitAsync(cancellationToken);
    }

    private void Wake()
    {
        if (_writerWaiting)
        {
            _writerWaiting = false;
            _wake.Release();
        }
    }

    private void WriteLoop()
    {
        while (true)
        {
            CommitBatch? batch = null;
            lock (_lock)
            {
                if (_current.Entries.Count > 0)
                {
                    batch = _current;
                    _current = new CommitBatch(_spare ?? []);
                    _spare = null;
                    _writing = batch;
                }
                else if (_stopping)
                {
                    break;
                }
                else
                {
                    _writerWaiting = true;
                }
            }

            if (batch is null)
            {
                _wake.Wait();
                continue;
            }

            if (!WriteBatch(batch))
            {
                return;
            }

            // A full live file is closed into a segment behind a snapshot, so the live file and the replay on start
            // stay bounded however long the history.
            if (_journal!.Length >= _segmentBytes)
            {
                _snapshotWrite.Wait();
                TakeSnapshot(inline: true, rotate: true);
                if (_fault is not null)
                {
                    return;
                }
            }

            // Snapshot once the journal has grown by the configured size and by four times the last snapshot, so
            // snapshot writes stay a small part of the disk traffic however large the remembered state is.
            else if (_snapshotWrite.IsCompleted
                && _journal.Length - Volatile.Read(ref _snapshotOffset) >= Math.Max(_snapshotAfterBytes, 4L * _lastSnapshotBytes))
            {
                TakeSnapshot(inline: false);
                if (_fault is not null)
                {
                    // Nothing more may reach the journal after a failed write, or it would have a gap.
                    return;
                }
            }
        }

        // A clean stop leaves a snapshot, so the next start replays nothing. The writer is a dedicated thread, so
        // waiting here blocks no caller.
        _snapshotWrite.Wait();
        if (_fault is null && _journal!.Length > _snapshotOffset)
        {
            TakeSnapshot(inline: true);
        }
    }

    /// <summary>Appends a batch to the journal, completes its callers and recycles it; false (and the ledger faulted) when the write failed.</summary>
    private bool WriteBatch(CommitBatch batch)
    {
        try
        {
            _journal!.Append(batch.Entries);
            batch.Complete();
        }
#pragma warning disable CA1031 // The failure is kept and reported to every caller from now on.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Fail(batch, ex);
            return false;
        }

        Recycle(batch);
        return true;
    }

    private void Recycle(CommitBatch batch)
    {
        batch.Entries.Clear();

        // A burst makes one large batch; reuse its list, but not the memory of the burst.
        if (batch.Entries.Capacity > 16 * 1024)
        {
            batch.Entries.Capacity = 16 * 1024;
        }

        lock (_lock)
        {
            _spare = batch.Entries;
        }
    }

    private void Fail(CommitBatch batch, Exception ex)
    {
        BudgetLog.JournalFailed(_logger, ex);
        batch.Fail(ex);
        lock (_lock)
        {
            _fault = ex;
            _current.Fail(ex);
        }
    }
}
