using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace AiOrchestrator.Caching;

/// <summary>
/// The stored form of a <see cref="CacheEntry"/>: a magic number, a version, the entry, and a checksum over all of it,
/// so a damaged or foreign entry is recognised and treated as a miss instead of being replayed.
/// </summary>
internal static class CacheEntryCodec
{
    private const uint Magic = 0x41494F43; // "AIOC"
    private const byte Version = 1;
    private const int ChecksumBytes = 8;

    /// <summary>What a damaged or foreign entry reads as (never replayed: the cache drops it and counts it).</summary>
    internal static readonly CacheEntry Corrupt = new() { Kind = 0, CreatedAt = default, Model = string.Empty, Payload = [] };

    public static byte[] Write(CacheEntry entry)
    {
        var output = new ArrayBufferWriter<byte>(entry.Payload.Length + 256);
        Write(entry, output);
        return output.WrittenSpan.ToArray();
    }

    public static void Write(CacheEntry entry, IBufferWriter<byte> target)
    {
        var payload = entry.Payload;
        var output = new ArrayBufferWriter<byte>(payload.Length + 256);
        Span<byte> head = stackalloc byte[1 + 1 + 8 + 2];
        BinaryPrimitives.WriteUInt32LittleEndian(output.GetSpan(4), Magic);
        output.Advance(4);
        head[0] = Version;
        head[1] = (byte)entry.Kind;
        BinaryPrimitives.WriteInt64LittleEndian(head[2..], entry.CreatedAt.UtcTicks);
        BinaryPrimitives.WriteUInt16LittleEndian(head[10..], (ushort)entry.StatusCode);
        output.Write(head);
        WriteString(output, entry.Provider);
        WriteString(output, entry.Model);
        WriteString(output, entry.ContentType);
        var u = entry.Usage;
        Span<long> counts =
        [
            u.InputTokens, u.CachedInputTokens, u.CacheWriteTokens, u.CacheWrite1hTokens, u.InputAudioTokens,
            u.CachedAudioInputTokens, u.InputImageTokens, u.CachedImageInputTokens, u.InputVideoTokens,
            u.CachedVideoInputTokens, u.OutputTokens, u.ReasoningTokens, u.OutputAudioTokens, u.OutputImageTokens,
            u.OutputVideoTokens, u.CitationTokens, u.WebSearches, u.IsEstimated ? 1 : 0,
        ];
        WriteVarInt(output, (ulong)counts.Length);
        foreach (var count in counts)
        {
            WriteVarInt(output, (ulong)count);
        }

        WriteVarInt(output, (ulong)payload.Length);
        output.Write(payload);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(output.WrittenSpan, hash);
        output.Write(hash[..ChecksumBytes]);
        target.Write(output.WrittenSpan);
    }

    /// <summary>Reads an entry; <see langword="null"/> when the bytes are not an intact entry of this version.</summary>
    public static CacheEntry? TryRead(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 4 + 12 + ChecksumBytes || BinaryPrimitives.ReadUInt32LittleEndian(bytes) != Magic || bytes[4] != Version)
        {
            return null;
        }

        var body = bytes[..^ChecksumBytes];
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(body, hash);
        if (!hash[..ChecksumBytes].SequenceEqual(bytes[^ChecksumBytes..]))
        {
            return null;
        }

        try
        {
            var kind = (CacheEntryKind)body[5];
            var created = new DateTimeOffset(BinaryPrimitives.ReadInt64LittleEndian(body[6..]), TimeSpan.Zero);
            var status = BinaryPrimitives.ReadUInt16LittleEndian(body[14..]);
            var rest = body[16..];
            var provider = ReadString(ref rest);
            var model = ReadString(ref rest) ?? string.Empty;
            var contentType = ReadString(ref rest);
            var n = (int)ReadVarInt(ref rest);
            Span<long> c = stackalloc long[18];
            for (var i = 0; i < n; i++)
            {
                var value = (long)ReadVarInt(ref rest);
                if (i < c.Length)
                {
                    c[i] = value;
                }
            }

            var length = (int)ReadVarInt(ref rest);
            if (length != rest.Length || !Enum.IsDefined(kind))
            {
                return null;
            }

            return new CacheEntry
            {
                Kind = kind,
                CreatedAt = created,
                StatusCode = status,
                Provider = provider,
                Model = model,
                ContentType = contentType,
                Usage = new TokenUsage
                {
                    InputTokens = c[0], CachedInputTokens = c[1], CacheWriteTokens = c[2], CacheWrite1hTokens = c[3],
                    InputAudioTokens = c[4], CachedAudioInputTokens = c[5], InputImageTokens = c[6],
                    CachedImageInputTokens = c[7], InputVideoTokens = c[8], CachedVideoInputTokens = c[9],
                    OutputTokens = c[10], ReasoningTokens = c[11], OutputAudioTokens = c[12], OutputImageTokens = c[13],
                    OutputVideoTokens = c[14], CitationTokens = c[15], WebSearches = c[16], IsEstimated = c[17] != 0,
                },
                Payload = rest.ToArray(),
            };
        }
        catch (Exception ex) when (ex is ArgumentOutOfRangeException or IndexOutOfRangeException or OverflowException or DecoderFallbackException)
        {
            return null;
        }
    }

    private static void WriteString(ArrayBufferWriter<byte> output, string? value)
    {
        if (value is null)
        {
            WriteVarInt(output, 0);
            return;
        }

        var length = Encoding.UTF8.GetByteCount(value);
        WriteVarInt(output, (ulong)length + 1);
        Encoding.UTF8.GetBytes(value, output.GetSpan(length));
        output.Advance(length);
    }

    private static string? ReadString(ref ReadOnlySpan<byte> input)
    {
        var length = (int)ReadVarInt(ref input);
        if (length == 0)
        {
            return null;
        }

        var value = Encoding.UTF8.GetString(input[..(length - 1)]);
        input = input[(length - 1)..];
        return value;
    }

    private static void WriteVarInt(ArrayBufferWriter<byte> output, ulong value)
    {
        var span = output.GetSpan(10);
        var n = 0;
        while (value >= 0x80)
        {
            span[n++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[n++] = (byte)value;
        output.Advance(n);
    }

    private static ulong ReadVarInt(ref ReadOnlySpan<byte> input)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = input[0];
            input = input[1..];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw new OverflowException("A cache entry number is longer than 64 bits.");
    }
}
