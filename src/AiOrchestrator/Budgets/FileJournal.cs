using System.Buffers.Binary;
using System.Globalization;
using Microsoft.Win32.SafeHandles;

namespace AiOrchestrator.Budgets;

/// <summary>
/// The append-only budget journal file. One writer appends whole batches and flushes them to disk once per batch
/// (group commit). The file is opened exclusively, so a second ledger (in this or another process) cannot write it.
/// It starts with a header (<c>"AIOBJNL1"</c> and its segment number); when it grows past the segment size it is
/// closed into <c>&lt;path&gt;.000001</c> (its segment number) behind a snapshot and a new live file is started.
/// Files written before the header existed (records from byte 0) are still read, as segment 0.
/// </summary>
internal sealed class FileJournal : IDisposable
{
    public const int FileHeaderSize = 16;

    private readonly JournalBuffer _buffer = new();
    private SafeFileHandle _handle;
    private long _length;

    private FileJournal(string path, SafeFileHandle handle, long segment, long dataStart)
    {
        Path = path;
        _handle = handle;
        Segment = segment;
        DataStart = dataStart;
    }

    public string Path { get; }

    /// <summary>The segment number of the live file.</summary>
    public long Segment { get; private set; }

    /// <summary>Where the live file's records start: after the header, or 0 in a file without one.</summary>
    public long DataStart { get; private set; }

    /// <summary>The end of the last record known to be on disk.</summary>
    public long Length => Volatile.Read(ref _length);

    /// <summary>The length of the file on disk, torn tail included.</summary>
    public long FileLength => RandomAccess.GetLength(_handle);

    private static ReadOnlySpan<byte> Magic => "AIOBJNL1"u8;

    public static FileJournal Open(string path)
    {
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        var handle = OpenHandle(path);
        try
        {
            var length = RandomAccess.GetLength(handle);
            var (segment, dataStart) = ReadHeader(path, handle, length);
            if (length == 0 || dataStart < 0)
            {
                // A new file (or one a crash left with a partial header): number it after the closed segments.
                segment = LastClosedSegment(path) + 1;
                dataStart = FileHeaderSize;
                WriteHeader(path, handle, segment);
            }

            return new FileJournal(path, handle, segment, dataStart);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>The path of closed segment <paramref name="segment"/>.</summary>
    public static string SegmentPath(string path, long segment) => path + "." + segment.ToString("D6", CultureInfo.InvariantCulture);

    /// <summary>The closed segments next to the journal, oldest first.</summary>
    public static List<long> ClosedSegments(string path)
    {
        var segments = new List<long>();
        var full = System.IO.Path.GetFullPath(path);
        var directory = System.IO.Path.GetDirectoryName(full)!;
        var prefix = System.IO.Path.GetFileName(full) + ".";
        if (!Directory.Exists(directory))
        {
            return segments;
        }

        foreach (var file in Directory.EnumerateFiles(directory, prefix + "*"))
        {
            var name = System.IO.Path.GetFileName(file.AsSpan());
            if (name.Length != prefix.Length + 6 || !name.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }

            var suffix = name[prefix.Length..];
            if (suffix.Length == 6 && long.TryParse(suffix, NumberStyles.None, CultureInfo.InvariantCulture, out var segment))
            {
                segments.Add(segment);
            }
        }

        segments.Sort();
        return segments;
    }

    /// <summary>
    /// Reads every whole record from <paramref name="start"/> (the start of the records, or the offset a snapshot
    /// covers), calls <paramref name="apply"/> for each, then cuts off a torn last record (one a crash left
    /// half-written at the end of the file) so appends continue after the last good record. Damage followed by valid
    /// records is not a torn write: it throws <see cref="JournalCorruptedException"/> and cuts nothing.
    /// </summary>
    /// <returns>The number of bytes cut off.</returns>
    public long Recover(long start, Action<JournalEntry> apply)
    {
        var fileLength = RandomAccess.GetLength(_handle);
        var valid = Read(_handle, Path, start, fileLength, apply, tornTailAllowed: true);
        var torn = fileLength - valid;
        if (torn > 0)
        {
            RandomAccess.SetLength(_handle, valid);
            RandomAccess.FlushToDisk(_handle);
        }

        Volatile.Write(ref _length, valid);
        return torn;
    }

    /// <summary>Reads the records from <paramref name="start"/> up to <paramref name="end"/>, all of which must be whole.</summary>
    public void Read(long start, long end, Action<JournalEntry> apply) => Read(_handle, Path, start, end, apply, tornTailAllowed: false);

    /// <summary>Reads a whole closed segment from <paramref name="start"/> (0: its first record).</summary>
    public static void ReadSegment(string path, long segment, long start, Action<JournalEntry> apply)
    {
        var file = SegmentPath(path, segment);
        if (!File.Exists(file))
        {
            throw new JournalCorruptedException(file, 0, $"journal segment {segment} is missing");
        }

        using var handle = File.OpenHandle(file, FileMode.Open, FileAccess.Read, FileShare.Read);
        var length = RandomAccess.GetLength(handle);
        var (_, dataStart) = ReadHeader(file, handle, length);
        Read(handle, file, Math.Max(start, Math.Max(dataStart, 0)), length, apply, tornTailAllowed: false);
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

        // A burst makes one large batch; do not keep its buffer for the life of the ledger.
        _buffer.Reset(4 * 1024 * 1024);
    }

    /// <summary>
    /// Closes the live file into its segment file and starts a new live file numbered after it. Called by the
    /// writer with nothing queued, after a snapshot covers the closed file.
    /// </summary>
    public void Rotate()
    {
        var closed = SegmentPath(Path, Segment);
        _handle.Dispose();
        File.Move(Path, closed);
        _handle = OpenHandle(Path);
        Segment++;
        DataStart = FileHeaderSize;
        WriteHeader(Path, _handle, Segment);
        Volatile.Write(ref _length, FileHeaderSize);
    }

    public void Dispose() => _handle.Dispose();

    /// <summary>
    /// Repairs a damaged journal: copies it to <c>&lt;path&gt;.corrupt-&lt;timestamp&gt;</c> and keeps the records before
    /// the first damaged one. A snapshot that covers more than what is kept is moved aside too.
    /// </summary>
    public static JournalRepairReport Repair(string path, TimeProvider time)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        long records = 0;
        long? damage = null;
        long length;
        long keep;
        using (var handle = OpenHandle(path))
        {
            length = RandomAccess.GetLength(handle);
            var (_, dataStart) = ReadHeader(path, handle, length);
            try
            {
                keep = Read(handle, path, Math.Max(dataStart, 0), length, _ => records++, tornTailAllowed: true);
                if (keep < length)
                {
                    damage = keep;
                }
            }
            catch (JournalCorruptedException ex)
            {
                damage = ex.Offset;
                keep = ex.Offset;
            }
        }

        if (damage is null)
        {
            return new JournalRepairReport(path, null, records, length, 0, null);
        }

        var stamp = time.GetUtcNow().ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var backup = path + ".corrupt-" + stamp;
        File.Copy(path, backup, overwrite: false);
        using (var handle = OpenHandle(path))
        {
            RandomAccess.SetLength(handle, keep);
            RandomAccess.FlushToDisk(handle);
        }

        var snapshot = path + ".snapshot";
        if (SnapshotFile.TryRead(snapshot, out var segment, out var offset, out _) && offset > keep && (segment == -1 || segment == ReadSegmentNumber(path)))
        {
            File.Move(snapshot, snapshot + ".corrupt-" + stamp);
        }

        return new JournalRepairReport(path, backup, records, keep, length - keep, damage);
    }

    /// <summary>Says why the journal could not be opened, by cause: a lock conflict is only one of them.</summary>
    internal static IOException DescribeOpenFailure(string path, Exception ex)
    {
        const int EAGAIN = 11, EACCES = 13, EPERM = 1, ENOSPC = 28, EROFS = 30, EDQUOT = 122;
        const int SharingViolation = unchecked((int)0x80070020), LockViolation = unchecked((int)0x80070021);
        var code = ex is IOException { InnerException: null } io ? io.HResult : ex.InnerException?.HResult ?? ex.HResult;
        var reason = ex switch
        {
            UnauthorizedAccessException => "permission denied: the process may not read and write it. Grant it access or choose another StorePath.",
            IOException when code is EAGAIN or SharingViolation or LockViolation
                => "it is open in another ledger (this or another process). Use one BudgetLedger per store path per machine.",
            IOException when code == EROFS => "the file system is read-only. Point StorePath at a writable volume.",
            IOException when code is ENOSPC or EDQUOT => "the disk is full (or the quota is used up). Free space and restart.",
            IOException when code is EACCES or EPERM => "permission denied: the process may not read and write it. Grant it access or choose another StorePath.",
            _ => $"{ex.Message}",
        };
        return new IOException($"The budget journal '{path}' could not be opened: {reason}", ex);
    }

    private static SafeFileHandle OpenHandle(string path)
    {
        try
        {
            return File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw DescribeOpenFailure(path, ex);
        }
    }

    private static long ReadSegmentNumber(string path)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return ReadHeader(path, handle, RandomAccess.GetLength(handle)).Segment;
    }

    /// <summary>The segment number and where records start; a data start of -1 means a partial header to rewrite.</summary>
    private static (long Segment, long DataStart) ReadHeader(string path, SafeFileHandle handle, long length)
    {
        if (length == 0)
        {
            return (0, -1);
        }

        Span<byte> header = stackalloc byte[FileHeaderSize];
        var read = RandomAccess.Read(handle, header[..(int)Math.Min(FileHeaderSize, length)], 0);
        if (read >= FileHeaderSize && header[..8].SequenceEqual(Magic))
        {
            return (BinaryPrimitives.ReadInt64LittleEndian(header[8..]), FileHeaderSize);
        }

        if (read < FileHeaderSize && header[..Math.Min(read, 8)].SequenceEqual(Magic[..Math.Min(read, 8)]) && length == read)
        {
            return (0, -1);
        }

        // A journal written before the header existed starts with a whole, checksummed record.
        if (read >= JournalCodec.HeaderSize)
        {
            var size = BinaryPrimitives.ReadInt32LittleEndian(header);
            if (size > 0 && size <= JournalCodec.MaxRecordSize && JournalCodec.HeaderSize + size <= length)
            {
                var payload = new byte[size];
                RandomAccess.Read(handle, payload, JournalCodec.HeaderSize);
                if (JournalCodec.Checksum(payload) == BinaryPrimitives.ReadUInt32LittleEndian(header[4..]))
                {
                    return (0, 0);
                }
            }
        }

        throw new InvalidDataException(
            $"'{path}' is not a budget journal: it does not start with the journal header. It was left untouched. Point StorePath at a new file or at a budget journal.");
    }

    private static void WriteHeader(string path, SafeFileHandle handle, long segment)
    {
        Span<byte> header = stackalloc byte[FileHeaderSize];
        Magic.CopyTo(header);
        BinaryPrimitives.WriteInt64LittleEndian(header[8..], segment);
        try
        {
            RandomAccess.SetLength(handle, 0);
            RandomAccess.Write(handle, header, 0);
            RandomAccess.FlushToDisk(handle);
        }
        catch (IOException ex)
        {
            throw DescribeOpenFailure(path, ex);
        }
    }

    private static long LastClosedSegment(string path)
    {
        var closed = ClosedSegments(path);
        return closed.Count == 0 ? 0 : closed[^1];
    }

    /// <summary>
    /// Reads the records from <paramref name="start"/> up to <paramref name="end"/>; returns the end of the last whole
    /// record. A bad record with no valid record after it is a torn tail (allowed only at the live file's end);
    /// anything else is damage.
    /// </summary>
    private static long Read(SafeFileHandle handle, string path, long start, long end, Action<JournalEntry> apply, bool tornTailAllowed)
    {
        var chunk = new byte[JournalCodec.MaxRecordSize + JournalCodec.HeaderSize];
        var chunkOffset = start;
        var filled = 0;
        var position = 0;
        while (true)
        {
            if (filled - position < JournalCodec.HeaderSize && !Refill(handle, end, chunk, ref chunkOffset, ref filled, ref position, JournalCodec.HeaderSize))
            {
                if (filled - position == 0)
                {
                    return chunkOffset + position;
                }

                break;
            }

            var length = BinaryPrimitives.ReadInt32LittleEndian(chunk.AsSpan(position));
            if (length <= 0 || length > JournalCodec.MaxRecordSize)
            {
                break;
            }

            var size = JournalCodec.HeaderSize + length;
            if (filled - position < size && !Refill(handle, end, chunk, ref chunkOffset, ref filled, ref position, size))
            {
                break;
            }

            var checksum = BinaryPrimitives.ReadUInt32LittleEndian(chunk.AsSpan(position + 4));
            var payload = chunk.AsSpan(position + JournalCodec.HeaderSize, length);
            if (JournalCodec.Checksum(payload) != checksum)
            {
                break;
            }

            var offset = chunkOffset + position;
            try
            {
                var entry = JournalCodec.Read(payload);
                position += size;
                apply(entry);
            }
            catch (Exception ex) when (ex is InvalidDataException or ArgumentException or IndexOutOfRangeException or KeyNotFoundException or FormatException)
            {
                throw new JournalCorruptedException(path, offset, $"its record there does not follow from the records before it ({ex.Message})", ex);
            }
        }

        var bad = chunkOffset + position;
        if (!tornTailAllowed || ValidRecordFollows(handle, bad, end))
        {
            throw new JournalCorruptedException(path, bad, "a record there fails its length or checksum");
        }

        return bad;
    }

    /// <summary>True when a whole, checksummed record starts anywhere after <paramref name="bad"/>: then it is damage, not a torn tail.</summary>
    private static bool ValidRecordFollows(SafeFileHandle handle, long bad, long end)
    {
        var rest = end - bad;
        if (rest <= JournalCodec.HeaderSize)
        {
            return false;
        }

        var tail = new byte[rest];
        var read = 0;
        while (read < tail.Length)
        {
            var n = RandomAccess.Read(handle, tail.AsSpan(read), bad + read);
            if (n <= 0)
            {
                break;
            }

            read += n;
        }

        for (var at = 1; at + JournalCodec.HeaderSize < read; at++)
        {
            var length = BinaryPrimitives.ReadInt32LittleEndian(tail.AsSpan(at));
            if (length > 0 && length <= JournalCodec.MaxRecordSize && at + JournalCodec.HeaderSize + length <= read
                && JournalCodec.Checksum(tail.AsSpan(at + JournalCodec.HeaderSize, length)) == BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(at + 4)))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Refill(SafeFileHandle handle, long end, byte[] chunk, ref long chunkOffset, ref int filled, ref int position, int needed)
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

            var read = RandomAccess.Read(handle, chunk.AsSpan(filled, want), chunkOffset + filled);
            if (read <= 0)
            {
                return false;
            }

            filled += read;
        }

        return true;
    }
}
