using System.Buffers.Binary;

namespace AiOrchestrator.Budgets;

/// <summary>
/// The budget snapshot file: the ledger state as of a journal offset, so a start replays only the journal after it.
/// Layout: <c>"AIOBSNP2"</c>, int64 journal segment, int64 offset in it, int32 payload length, uint32 CRC-32C,
/// payload (<c>"AIOBSNP1"</c> files, without the segment, describe the live file). It is written
/// to a temporary file, flushed, then renamed over the old one, so a crash leaves either the old or the new snapshot.
/// </summary>
internal static class SnapshotFile
{
    private const int LegacyHeaderSize = 24;
    private const int HeaderSize = 32;

    private static ReadOnlySpan<byte> LegacyMagic => "AIOBSNP1"u8;

    private static ReadOnlySpan<byte> Magic => "AIOBSNP2"u8;

    public static void Write(string path, long segment, long journalOffset, ReadOnlySpan<byte> payload)
    {
        Span<byte> header = stackalloc byte[HeaderSize];
        Magic.CopyTo(header);
        BinaryPrimitives.WriteInt64LittleEndian(header[8..], segment);
        BinaryPrimitives.WriteInt64LittleEndian(header[16..], journalOffset);
        BinaryPrimitives.WriteInt32LittleEndian(header[24..], payload.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[28..], JournalCodec.Checksum(payload));
        var temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1))
        {
            stream.Write(header);
            stream.Write(payload);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>
    /// Reads a whole, intact snapshot; false when there is none or it is damaged (the journal is then replayed in
    /// full). <paramref name="segment"/> is -1 for a snapshot of the live file written before segments existed.
    /// </summary>
    public static bool TryRead(string path, out long segment, out long journalOffset, out byte[] payload)
    {
        segment = -1;
        journalOffset = 0;
        payload = [];
        if (!File.Exists(path))
        {
            return false;
        }

        var bytes = File.ReadAllBytes(path);
        var legacy = bytes.Length >= LegacyHeaderSize && bytes.AsSpan(0, 8).SequenceEqual(LegacyMagic);
        if (!legacy && (bytes.Length < HeaderSize || !bytes.AsSpan(0, 8).SequenceEqual(Magic)))
        {
            return false;
        }

        var header = legacy ? LegacyHeaderSize : HeaderSize;
        var fields = bytes.AsSpan(legacy ? 8 : 16);
        var offset = BinaryPrimitives.ReadInt64LittleEndian(fields);
        var length = BinaryPrimitives.ReadInt32LittleEndian(fields[8..]);
        var checksum = BinaryPrimitives.ReadUInt32LittleEndian(fields[12..]);
        if (offset < 0 || length < 0 || bytes.Length != header + length || JournalCodec.Checksum(bytes.AsSpan(header, length)) != checksum)
        {
            return false;
        }

        segment = legacy ? -1 : BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(8));
        journalOffset = offset;
        payload = bytes[header..];
        return true;
    }
}
