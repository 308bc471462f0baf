using System.Buffers.Binary;
using System.Text;

namespace AiOrchestrator.Audit;

/// <summary>A growable byte buffer the canonical writer and the log writer encode into, reused between batches.</summary>
internal sealed class AuditBuffer(int capacity)
{
    private static ReadOnlySpan<byte> HexDigits => "0123456789abcdef"u8;

    private byte[] _bytes = new byte[Math.Max(capacity, 64)];

    public int Length { get; private set; }

    public ReadOnlySpan<byte> Written => _bytes.AsSpan(0, Length);

    public Span<byte> Span(int start, int length) => _bytes.AsSpan(start, length);

    public void Clear() => Length = 0;

    /// <summary>Empties the buffer and gives back memory a large batch grew it to.</summary>
    public void Reset(int maxBytes)
    {
        Length = 0;
        if (_bytes.Length > maxBytes)
        {
            _bytes = new byte[maxBytes];
        }
    }

    public void Skip(int count)
    {
        Ensure(count);
        Length += count;
    }

    public void Raw(ReadOnlySpan<byte> bytes)
    {
        Ensure(bytes.Length);
        bytes.CopyTo(_bytes.AsSpan(Length));
        Length += bytes.Length;
    }

    public void Byte(byte value)
    {
        Ensure(1);
        _bytes[Length++] = value;
    }

    public void Int32LittleEndian(int value)
    {
        Ensure(4);
        BinaryPrimitives.WriteInt32LittleEndian(_bytes.AsSpan(Length), value);
        Length += 4;
    }

    /// <summary>An integer in invariant decimal digits.</summary>
    public void Number(long value)
    {
        Ensure(20);
        value.TryFormat(_bytes.AsSpan(Length), out var written, default, System.Globalization.CultureInfo.InvariantCulture);
        Length += written;
    }

    public void Hex(ReadOnlySpan<byte> bytes)
    {
        Ensure(bytes.Length * 2);
        var span = _bytes.AsSpan(Length);
        for (var i = 0; i < bytes.Length; i++)
        {
            span[2 * i] = HexDigits[bytes[i] >> 4];
            span[(2 * i) + 1] = HexDigits[bytes[i] & 0xF];
        }

        Length += bytes.Length * 2;
    }

    /// <summary>
    /// A JSON string with the fixed escaping of the canonical form: <c>"</c> and <c>\</c> escaped with a backslash,
    /// control characters as <c>\u00xx</c> (lower-case hex), everything else as its UTF-8 bytes.
    /// </summary>
    public void JsonString(string value)
    {
        Ensure(Encoding.UTF8.GetMaxByteCount(value.Length) + 2);
        _bytes[Length++] = (byte)'"';
        var start = 0;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c >= 0x20 && c != '"' && c != '\\')
            {
                continue;
            }

            Length += Encoding.UTF8.GetBytes(value.AsSpan(start, i - start), _bytes.AsSpan(Length));
            Ensure(6 + Encoding.UTF8.GetMaxByteCount(value.Length - i));
            _bytes[Length++] = (byte)'\\';
            if (c is '"' or '\\')
            {
                _bytes[Length++] = (byte)c;
            }
            else
            {
                "u00"u8.CopyTo(_bytes.AsSpan(Length));
                Length += 3;
                _bytes[Length++] = HexDigits[c >> 4];
                _bytes[Length++] = HexDigits[c & 0xF];
            }

            start = i + 1;
        }

        Length += Encoding.UTF8.GetBytes(value.AsSpan(start), _bytes.AsSpan(Length));
        _bytes[Length++] = (byte)'"';
    }

    private void Ensure(int count)
    {
        if (Length + count > _bytes.Length)
        {
            Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, Length + count));
        }
    }
}
