using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace AiOrchestrator.Budgets;

/// <summary>
/// The append-only budget journal file. One writer appends whole batches and flushes them to disk once per batch
/// (group commit). The file is opened exclusively, so a second ledger (in this or another process) cannot write it.
/// </summary>
internal sealed class FileJournal : IDisposable
{
    private readonly SafeFileHandle _handle;
    private readonly JournalBuffer _buffer = new();
    private long _length;

    private FileJournal(string path, SafeFileHandle handle)
    {
        Path = path;
        _handle = handle;
    }

    public string Path { get; }

    /// <summary>The end of the last record known to be on disk.</summary>
    public long Length => Volatile.Read(ref _length);

    public static FileJournal Open(string path)
    {
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex)
        {
            throw new IOException(
                $"The budget journal '{path}' is open in another ledger (this or another process). Use one BudgetLedger per store path per machine.", ex);
        }

        return new FileJournal(path, handle);
    }

    /// <summary>
    /// Reads every whole record from <paramref name="start"/> (the start of the file, or the offset a snapshot covers), calls <paramref name="apply"/> for each, then cuts off a torn tail
    /// (a record a crash left half-written) so appends continue after the last good record.
    /// </summary>
    /// <returns>The number of bytes cut off.</returns>
    public long Recover(long start, Action<JournalEntry> apply)
    {
        var fileLength = RandomAccess.GetLength(_handle);
        var valid = Read(start, fileLength, apply);
        var torn = fileLength - valid;
        if (torn > 0)
        {
            RandomAccess.SetLength(_handle, valid);
            RandomAccess.FlushToDisk(_handle);
        }

        Volatile.Write(ref _length, valid);
        return torn;
    }

    /// <summary>The length of the file on disk, torn tail included.</summary>
    public long FileLength => RandomAccess.GetLength(_handle);

    /// <summary>Reads the records from <paramref name="start"/> up to <paramref name="end"/>; returns the end of the last whole record.</summary>
    public long Read(long start, long end, Action<JournalEntry> apply)
    {
        var chunk = new byte[JournalCodec.MaxRecordSize + JournalCodec.HeaderSize];
        var chunkOffset = start;
        var filled = 0;
        var position = 0;
        while (true)
        {
            if (filled - position < JournalCodec.HeaderSize && !Refill(end, chunk, ref chunkOffset, ref filled, ref position, JournalCodec.HeaderSize))
            {
                break;
            }

            var length = BinaryPrimitives.ReadInt32LittleEndian(chunk.AsSpan(position));
            if (length <= 0 || length > JournalCodec.MaxRecordSize)
            {
                break;
            }

            var size = JournalCodec.HeaderSize + length;
            if (filled - position < size && !Refill(end, chunk, ref chunkOffset, ref filled, ref position, size))
            {
                break;
            }

            var checksum = BinaryPrimitives.ReadUInt32LittleEndian(chunk.AsSpan(position + 4));
            var payload = chunk.AsSpan(position + JournalCodec.HeaderSize, length);
            if (JournalCodec.Checksum(payload) != checksum)
            {
                break;
            }

            var entry = JournalCodec.Read(payload);
            position += size;
            apply(entry);
        }

        return chunkOffset + position;
    }

    /// <summary>Appends the records and flushes them to disk before returning.</summary>
    public void Append(List<JournalEntry> entries)
    {
        _buffer.Clear();
        for (var i = 0; i < entries.Count; i++)
        {
            JournalCodec.Write(_buffer, entries[i]);
        }

        var offset = _length;
        RandomAccess.Write(_handle, _buffer.Written, offset);
        RandomAccess.FlushToDisk(_handle);
        Volatile.Write(ref _length, offset + _buffer.Length);
    }

    public void Dispose() => _handle.Dispose();

    private bool Refill(long end, byte[] chunk, ref long chunkOffset, ref int filled, ref int position, int needed)
    {
        // Move the unread rest to the front, then read as much as fits.
        var rest = filled - position;
        Array.Copy(chunk, position, chunk, 0, rest);
        chunkOffset += position;
        position = 0;
        filled = rest;
        while (filled < needed)
        {
            var want = (int)Math.Min(chunk.Length - filled, end - (chunkOffset + filled));
            if (want <= 0)
            {
                return false;
            }

            var read = RandomAccess.Read(_handle, chunk.AsSpan(filled, want), chunkOffset + filled);
            if (read <= 0)
            {
                return false;
            }

            filled += read;
        }

        return true;
    }
}
