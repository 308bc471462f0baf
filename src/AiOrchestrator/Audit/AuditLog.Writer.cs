using System.Buffers.Binary;
using System.Diagnostics;
using System.Security.Cryptography;
using AiOrchestrator.Budgets;
using Microsoft.Win32.SafeHandles;

namespace AiOrchestrator.Audit;

// The queue and the group-commit writer: callers queue events; one thread encodes, hashes and writes each batch
// with one flush to disk, then adds the entries to the Merkle tree and completes the batch.
public sealed partial class AuditLog
{
    private readonly object _queue = new();
    private readonly SemaphoreSlim _wake = new(0);
    private readonly Thread _writer;
    private readonly byte[] _lastHash = new byte[MerkleHash.Size];
    private readonly AuditBuffer _buffer = new(64 * 1024);
    private readonly Lock _checkpointLock = new();
    private byte[] _leafHashes = new byte[MerkleHash.Size * 1024];
    private AuditBatch _current;
    private AuditBatch? _writing;
    private List<AuditBatch.Pending>? _spare;
    private bool _writerWaiting;
    private bool _urgent;
    private bool _flushDue;
    private bool _stopping;
    private Exception? _fault;
    private long _next;
    private SafeFileHandle? _segment;
    private long _segmentNumber;
    private long _segmentLength;
    private long _checkpointedSize;
    private DateTimeOffset _lastCheckpointAt;

    /// <inheritdoc/>
    public long Append(in AuditEvent auditEvent)
    {
        CheckEvent(auditEvent);
        lock (_queue)
        {
            var sequence = Enqueue(auditEvent);
            var count = _current.Entries.Count;
            if (count >= _options.MaxBatchEntries)
            {
                _urgent = true;
                Wake();
            }
            else if (count == 1)
            {
                // Starts the writer's flush-interval wait.
                Wake();
            }

            return sequence;
        }
    }

    /// <inheritdoc/>
    public async Task<long> AppendAsync(AuditEvent auditEvent, CancellationToken cancellationToken = default)
    {
        CheckEvent(auditEvent);
        AuditBatch batch;
        long sequence;
        lock (_queue)
        {
            sequence = Enqueue(auditEvent);
            batch = _current;
            _urgent = true;
            Wake();
        }

        await batch.Durable.WaitAsync(cancellationToken).ConfigureAwait(false);
        return sequence;
    }

    /// <summary>Completes when every entry appended so far is on disk.</summary>
    public Task FlushAsync(CancellationToken cancellationToken = default)
    {
        Task task;
        lock (_queue)
        {
            ThrowIfStopped();
            if (_current.Entries.Count > 0)
            {
                task = _current.Durable;
                _urgent = true;
                Wake();
            }
            else
            {
                task = _writing?.Durable ?? Task.CompletedTask;
            }
        }

        return task.WaitAsync(cancellationToken);
    }

    /// <summary>Writes what is queued, signs a last checkpoint and closes the files.</summary>
    public void Dispose()
    {
        lock (_queue)
        {
            if (_stopping)
            {
                return;
            }

            _stopping = true;
            Wake();
            Monitor.PulseAll(_queue);
        }

        _writer.Join();
        _segment?.Dispose();
        _lock.Dispose();
        _wake.Dispose();
        _metrics.Dispose();
        if (_ownsKey)
        {
            _signingKey.Dispose();
        }
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private long Enqueue(in AuditEvent auditEvent)
    {
        // Bounded: when the writer falls behind, wait for room rather than drop an entry.
        while (_current.Entries.Count >= _options.MaxQueuedEntries && _fault is null && !_stopping)
        {
            Monitor.Wait(_queue);
        }

        ThrowIfStopped();

        // The time is read under the lock, so times never go back along the sequence (unless the clock does).
        _current.Entries.Add(new AuditBatch.Pending(auditEvent, _time.GetUtcNow().UtcTicks));
        return _next++;
    }

    private void ThrowIfStopped()
    {
        if (_fault is not null)
        {
            throw new InvalidOperationException("The audit log stopped after a write failure; restart to reopen it. See the inner exception.", _fault);
        }

        ObjectDisposedException.ThrowIf(_stopping, this);
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
            AuditBatch? batch = null;
            bool pending;
            lock (_queue)
            {
                var count = _current.Entries.Count;
                pending = count > 0;
                if (pending && (_urgent || _flushDue || _stopping || count >= _options.MaxBatchEntries))
                {
                    batch = _current;
                    _current = new AuditBatch(_next, _spare);
                    _spare = null;
                    _writing = batch;
                    _urgent = false;
                    _flushDue = false;
                    Monitor.PulseAll(_queue);
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
                if (!_wake.Wait(pending ? _options.FlushInterval : Timeout.InfiniteTimeSpan))
                {
                    lock (_queue)
                    {
                        _writerWaiting = false;
                        _flushDue = true;
                    }
                }

                continue;
            }

            if (!WriteBatch(batch))
            {
                return;
            }

            var size = _tree.Size;
            if (size - _checkpointedSize >= _options.CheckpointEveryEntries
                || (size > _checkpointedSize && _time.GetUtcNow() - _lastCheckpointAt >= _options.CheckpointInterval))
            {
                TryCheckpoint();
            }
        }

        if (_fault is null && _tree.Size > _checkpointedSize)
        {
            TryCheckpoint();
        }
    }

    private bool WriteBatch(AuditBatch batch)
    {
        var started = _metrics.TimingEnabled ? Stopwatch.GetTimestamp() : 0;
        try
        {
            var entries = batch.Entries;
            if (_leafHashes.Length < entries.Count * MerkleHash.Size)
            {
                _leafHashes = new byte[entries.Count * MerkleHash.Size];
            }

            _buffer.Clear();
            var written = 0;
            for (var i = 0; i < entries.Count; i++)
            {
                var sequence = batch.FirstSequence + i;
                var start = _buffer.Length;
                _buffer.Skip(AuditSegmentFile.RecordHeaderSize);
                var pending = entries[i];
                AuditCanonicalForm.Write(_buffer, sequence, pending.Ticks, pending.Event, _lastHash);
                var length = _buffer.Length - start - AuditSegmentFile.RecordHeaderSize;
                var record = _buffer.Span(start, AuditSegmentFile.RecordHeaderSize + length);

                // The leaf hash is SHA-256(0x00 || entry): hash in place, with the byte before the entry set to 0
                // before the checksum is written over it.
                record[AuditSegmentFile.RecordHeaderSize - 1] = 0;
                SHA256.HashData(record.Slice(AuditSegmentFile.RecordHeaderSize - 1, length + 1), _lastHash);
                _lastHash.CopyTo(_leafHashes, i * MerkleHash.Size);
                BinaryPrimitives.WriteInt32LittleEndian(record, length);
                BinaryPrimitives.WriteUInt32LittleEndian(record[4..], JournalCodec.Checksum(record.Slice(AuditSegmentFile.RecordHeaderSize, length)));

                // A full segment is closed before this record, which starts the next one.
                if (_segmentLength + (_buffer.Length - written) > _options.SegmentBytes && _segmentLength + (start - written) > AuditSegmentFile.HeaderSize)
                {
                    WriteOut(written, start);
                    written = start;
                    StartSegment(_segmentNumber + 1, sequence);
                    AuditLogMessages.SegmentStarted(_logger, _segmentNumber, sequence);
                }
            }

            WriteOut(written, _buffer.Length);
            for (var i = 0; i < entries.Count; i++)
            {
                _tree.Append(_leafHashes.AsSpan(i * MerkleHash.Size, MerkleHash.Size));
            }

            batch.Complete();
            _metrics.Batch(entries.Count, started == 0 ? default : Stopwatch.GetElapsedTime(started));
        }
#pragma warning disable CA1031 // The failure is kept and reported to every caller from now on.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            AuditLogMessages.WriteFailed(_logger, ex);
            batch.Fail(ex);
            lock (_queue)
            {
                _fault = ex;
                _current.Fail(ex);
                Monitor.PulseAll(_queue);
            }

            return false;
        }

        Recycle(batch);
        return true;
    }

    private void WriteOut(int from, int to)
    {
        if (to <= from)
        {
            return;
        }

        RandomAccess.Write(_segment!, _buffer.Written[from..to], _segmentLength);
        RandomAccess.FlushToDisk(_segment!);
        _segmentLength += to - from;
    }

    private void Recycle(AuditBatch batch)
    {
        batch.Entries.Clear();
        if (batch.Entries.Capacity > 16 * 1024)
        {
            batch.Entries.Capacity = 16 * 1024;
        }

        _buffer.Reset(4 * 1024 * 1024);
        lock (_queue)
        {
            _spare = batch.Entries;
        }
    }

    private void TryCheckpoint()
    {
        try
        {
            lock (_checkpointLock)
            {
                WriteCheckpoint();
            }
        }
#pragma warning disable CA1031 // A failed checkpoint loses nothing: the entries are on disk and the next one covers them.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            AuditLogMessages.CheckpointFailed(_logger, ex);
        }
    }

    /// <summary>Signs and saves a checkpoint of the durable entries (under the checkpoint lock).</summary>
    private AuditCheckpoint WriteCheckpoint()
    {
        var size = _tree.Size;
        var now = _time.GetUtcNow();
        var checkpoint = AuditCheckpoint.Sign(_options.LogId, size, _tree.Root(size), now, _signingKey);
        var temp = _checkpointPath + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(System.Text.Encoding.UTF8.GetBytes(checkpoint.ToText()));
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, _checkpointPath, overwrite: true);
        LatestCheckpoint = checkpoint;
        _checkpointedSize = size;
        _lastCheckpointAt = now;
        _metrics.Checkpoint();
        AuditLogMessages.CheckpointWritten(_logger, size);
        return checkpoint;
    }
}
