using System.Security.Cryptography;

namespace AiOrchestrator.Audit;

/// <summary>
/// Reads a log folder from its first segment to its end and checks everything that can be checked without a
/// checkpoint: headers, record checksums, canonical entries, contiguous sequence numbers and the hash chain. It builds
/// the Merkle tree on the way and stops at the first problem. Used both to open the log and by the verifier.
/// </summary>
internal sealed class AuditChainScanner
{
    public MerkleTree Tree { get; } = new();

    /// <summary>The hash of the last good entry (zero before the first).</summary>
    public byte[] LastHash { get; } = new byte[MerkleHash.Size];

    public long Count => Tree.Size;

    public AuditFailure Failure { get; private set; }

    public string Message { get; private set; } = "";

    public long? FailedSequence { get; private set; }

    public string? FailedPath { get; private set; }

    public long? FailedOffset { get; private set; }

    /// <summary>The last segment read (null when there is none) and where its last good record ends.</summary>
    public (long Number, string Path, long FirstSequence, long ValidEnd, long Length)? LastSegment { get; private set; }

    /// <summary>Called with each good entry's canonical bytes (for export).</summary>
    public Action<long, ReadOnlyMemory<byte>>? OnEntry { get; init; }

    public void Scan(string directory)
    {
        var segments = AuditSegmentFile.List(directory);
        byte[] scratch = new byte[1024];
        for (var s = 0; s < segments.Count; s++)
        {
            var (number, path) = segments[s];
            var isLast = s == segments.Count - 1;
            byte[] file;
            try
            {
                file = File.ReadAllBytes(path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                Fail(AuditFailure.Unreadable, Count, path, null, $"the segment could not be read: {ex.Message}");
                return;
            }

            var first = AuditSegmentFile.ReadHeader(file);
            if (first is null)
            {
                // A crash while a new segment's header was being written leaves a short file with nothing in it.
                if (isLast && file.Length < AuditSegmentFile.HeaderSize && AuditSegmentFile.Magic[..Math.Min(file.Length, 8)].SequenceEqual(file.AsSpan(0, Math.Min(file.Length, 8))))
                {
                    LastSegment = (number, path, Count, 0, file.Length);
                    Fail(AuditFailure.TruncatedTail, Count, path, 0, "the last segment's header is incomplete: a crash happened as it was created; opening the log rewrites it");
                    return;
                }

                Fail(AuditFailure.NotAnAuditSegment, Count, path, 0, "the file does not start with the audit segment header");
                return;
            }

            if (first != Count)
            {
                Fail(first > Count ? AuditFailure.EntriesMissing : AuditFailure.SequenceOutOfOrder, Count, path, 0, first > Count
                    ? $"the segment starts at entry {first}, but the entries before end at {Count - 1}: entries {Count} to {first - 1} (or a whole segment file) were deleted"
                    : $"the segment starts at entry {first}, but entries up to {Count - 1} were already read: segments were duplicated or reordered");
                return;
            }

            var position = AuditSegmentFile.HeaderSize;
            while (position < file.Length)
            {
                var rest = file.AsSpan(position);
                var size = AuditSegmentFile.RecordAt(rest);
                if (size == 0)
                {
                    if (isLast && !AuditSegmentFile.ValidRecordFollows(rest))
                    {
                        LastSegment = (number, path, first.Value, position, file.Length);
                        Fail(AuditFailure.TruncatedTail, Count, path, position,
                            $"the last {file.Length - position} bytes are an incomplete record: the log was cut off mid-record (a crash before the write was acknowledged leaves this; opening the log cuts it off)");
                        return;
                    }

                    Fail(AuditFailure.ChecksumMismatch, Count, path, position, "the record fails its length or checksum and valid records follow it: its bytes were changed");
                    return;
                }

                var payload = file.AsMemory(position + AuditSegmentFile.RecordHeaderSize, size - AuditSegmentFile.RecordHeaderSize);
                if (!AuditCanonicalForm.TryParse(payload.Span, out var entry, out var error))
                {
                    Fail(AuditFailure.EntryUnreadable, Count, path, position, error!);
                    return;
                }

                if (entry!.Sequence > Count && AppearsLater(file, position + size, Count))
                {
                    Fail(AuditFailure.SequenceOutOfOrder, Count, path, position,
                        $"entry {entry.Sequence} stands where entry {Count} was expected, and entry {Count} comes later: entries were swapped or reordered");
                    return;
                }

                if (entry.Sequence != Count)
                {
                    Fail(entry.Sequence > Count ? AuditFailure.EntriesMissing : AuditFailure.SequenceOutOfOrder, Count, path, position, entry.Sequence > Count
                        ? $"entry {Count} was expected but entry {entry.Sequence} was found: entries {Count} to {entry.Sequence - 1} were deleted"
                        : $"entry {Count} was expected but entry {entry.Sequence} was found: entries were swapped, duplicated or inserted");
                    return;
                }

                if (!entry.PreviousHash.Span.SequenceEqual(LastHash))
                {
                    Fail(AuditFailure.ChainBroken, Count, path, position, Count == 0
                        ? "the first entry does not link to the start of the log (its previous hash is not zero)"
                        : $"its previous hash does not match the hash of entry {Count - 1}: entry {Count - 1} was changed, or this entry was inserted or one before it removed");
                    return;
                }

                if (scratch.Length < payload.Length + 1)
                {
                    scratch = new byte[payload.Length * 2];
                }

                scratch[0] = 0;
                payload.Span.CopyTo(scratch.AsSpan(1));
                SHA256.HashData(scratch.AsSpan(0, payload.Length + 1), LastHash);
                Tree.Append(LastHash);
                OnEntry?.Invoke(entry.Sequence, payload);
                position += size;
            }

            LastSegment = (number, path, first.Value, position, file.Length);
        }

        if (segments.Count == 0)
        {
            Fail(AuditFailure.LogMissing, null, directory, null, Directory.Exists(directory) ? "the folder holds no audit segment (audit-NNNNNN.log)" : "the folder does not exist");
            return;
        }

        Message = $"all {Count} entries verify: checksums, canonical form, sequence and hash chain";
    }

    /// <summary>True when a record further on in the segment holds entry <paramref name="sequence"/>.</summary>
    private static bool AppearsLater(byte[] file, int position, long sequence)
    {
        while (position < file.Length)
        {
            var size = AuditSegmentFile.RecordAt(file.AsSpan(position));
            if (size == 0)
            {
                return false;
            }

            if (AuditCanonicalForm.TryParse(file.AsSpan(position + AuditSegmentFile.RecordHeaderSize, size - AuditSegmentFile.RecordHeaderSize), out var entry, out _)
                && entry!.Sequence == sequence)
            {
                return true;
            }

            position += size;
        }

        return false;
    }

    private void Fail(AuditFailure failure, long? sequence, string? path, long? offset, string message)
    {
        Failure = failure;
        FailedSequence = sequence;
        FailedPath = path;
        FailedOffset = offset;
        Message = message;
    }
}
