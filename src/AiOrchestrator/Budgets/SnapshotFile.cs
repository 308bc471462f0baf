using System.Buffers.Binary;

namespace AiOrchestrator.Budgets;

/// <summary>
/// The budget snapshot file: the ledger state as of a journal offset, so a start replays only the journal after it.
/// Layout: <c>"AIOBSNP1"</c>, int64 journal offset, int32 payload length, uint32 CRC-32C, payload. It is written
/// to a temporary file, flushed, then renamed over the old one, so a crash leaves either the old or the new snapshot.
/// </summary>
internal static class SnapshotFile
{
    private const int HeaderSize = 24;

    private static ReadOnlySpan<byte> Magic => "AIOBSNP1"u8;

    public static void Write(string path, long journalOffset, ReadOnlySpan<byte> payload)
    {
        Span<byte> header = stackalloc byte[HeaderSize];
        Magic.CopyTo(header);
        BinaryPrimitives.WriteInt64LittleEndian(header[8..], journalOffset);
        BinaryPrimitives.WriteInt32LittleEndian(header[16..], payload.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[20..], JournalCodec.Checksum(payload));
        var temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1))
        {
            stream.Write(header);
            stream.Write(payload);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Reads a whole, intact snapshot; false when there is none or it is damaged (the journal is then replayed in full).</summary>
    public static bool TryRead(string path, out long journalOffset, out byte[] payload)
    {
        journalOffset = 0;
        payload = [];
        if (!File.Exists(path))
        {
            return false;
        }

        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < HeaderSize || !bytes.AsSpan(0, 8).SequenceEqual(Magic))
        {
            return false;
        }

        var offset = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(8));
        var length = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(16));
        var checksum = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(20));
        if (offset < 0 || length < 0 || bytes.Length != HeaderSize + length || JournalCodec.Checksum(bytes.AsSpan(HeaderSize, length)) != checksum)
        {
            return false;
        }

        journalOffset = offset;
        payload = bytes[HeaderSize..];
        return true;
    }
}
