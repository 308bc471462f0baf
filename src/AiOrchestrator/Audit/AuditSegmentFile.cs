using System.Buffers.Binary;
using System.Globalization;
using AiOrchestrator.Budgets;

namespace AiOrchestrator.Audit;

/// <summary>
/// The audit log's files: segments named <c>audit-000001.log</c>, <c>audit-000002.log</c>, ... in one folder. A segment
/// starts with a 16-byte header (<c>"AIOAUDT1"</c> and the sequence number of its first entry), then records
/// <c>[int32 length][uint32 CRC-32C of the entry][the entry's canonical bytes]</c>, little endian. The checksum finds a
/// record torn by a crash; the hashes inside the entries find tampering.
/// </summary>
internal static class AuditSegmentFile
{
    public const int HeaderSize = 16;
    public const int RecordHeaderSize = 8;

    /// <summary>Records longer than this are treated as damage.</summary>
    public const int MaxRecordSize = 1 << 20;

    public const string CheckpointFileName = "checkpoint.txt";
    public const string PublicKeyFileName = "signing-key.pub.pem";
    public const string LockFileName = ".lock";

    private const string Prefix = "audit-";
    private const string Suffix = ".log";

    public static ReadOnlySpan<byte> Magic => "AIOAUDT1"u8;

    public static string FileName(long segment) => Prefix + segment.ToString("D6", CultureInfo.InvariantCulture) + Suffix;

    /// <summary>The segments in <paramref name="directory"/>, by number.</summary>
    public static List<(long Number, string Path)> List(string directory)
    {
        var segments = new List<(long, string)>();
        if (!Directory.Exists(directory))
        {
            return segments;
        }

        foreach (var file in Directory.EnumerateFiles(directory, Prefix + "*" + Suffix))
        {
            var name = Path.GetFileName(file);
            var digits = name.AsSpan(Prefix.Length, name.Length - Prefix.Length - Suffix.Length);
            if (digits.Length >= 6 && long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                segments.Add((number, file));
            }
        }

        segments.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        return segments;
    }

    public static void WriteHeader(Span<byte> destination, long firstSequence)
    {
        Magic.CopyTo(destination);
        BinaryPrimitives.WriteInt64LittleEndian(destination[8..], firstSequence);
    }

    /// <summary>The first sequence number a header names, or null when it is not an audit header.</summary>
    public static long? ReadHeader(ReadOnlySpan<byte> file)
        => file.Length >= HeaderSize && file[..8].SequenceEqual(Magic) ? BinaryPrimitives.ReadInt64LittleEndian(file[8..]) : null;

    /// <summary>The length of a whole, checksummed record at the start of <paramref name="data"/>, or 0 when there is none.</summary>
    public static int RecordAt(ReadOnlySpan<byte> data)
    {
        if (data.Length < RecordHeaderSize)
        {
            return 0;
        }

        var length = BinaryPrimitives.ReadInt32LittleEndian(data);
        if (length <= 0 || length > MaxRecordSize || length > data.Length - RecordHeaderSize)
        {
            return 0;
        }

        return JournalCodec.Checksum(data.Slice(RecordHeaderSize, length)) == BinaryPrimitives.ReadUInt32LittleEndian(data[4..])
            ? RecordHeaderSize + length
            : 0;
    }

    /// <summary>True when a whole record starts anywhere in <paramref name="data"/> after its first byte: then a bad record before it is damage, not a torn tail.</summary>
    public static bool ValidRecordFollows(ReadOnlySpan<byte> data)
    {
        for (var at = 1; at + RecordHeaderSize < data.Length; at++)
        {
            if (RecordAt(data[at..]) > 0)
            {
                return true;
            }
        }

        return false;
    }
}
