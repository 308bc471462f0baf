using System.Buffers.Binary;
using System.Text;

namespace AiOrchestrator.Budgets;

/// <summary>A growable byte buffer the journal writer encodes a batch into, reused from batch to batch.</summary>
internal sealed class JournalBuffer
{
    private byte[] _bytes = new byte[64 * 1024];

    public int Length { get; private set; }

    public ReadOnlySpan<byte> Written => _bytes.AsSpan(0, Length);

    public Span<byte> Span(int start, int length) => _bytes.AsSpan(start, length);

    public void Clear() => Length = 0;

    public void Skip(int count)
    {
        Ensure(count);
        Length += count;
    }

    public void WriteByte(byte value)
    {
        Ensure(1);
        _bytes[Length++] = value;
    }

    public void WriteInt32(int value)
    {
        Ensure(4);
        BinaryPrimitives.WriteInt32LittleEndian(_bytes.AsSpan(Length), value);
        Length += 4;
    }

    public void WriteInt64(long value)
    {
        Ensure(8);
        BinaryPrimitives.WriteInt64LittleEndian(_bytes.AsSpan(Length), value);
        Length += 8;
    }

    public void WriteGuid(Guid value)
    {
        Ensure(16);
        value.TryWriteBytes(_bytes.AsSpan(Length, 16));
        Length += 16;
    }

    public void WriteDecimal(decimal value)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        for (var i = 0; i < 4; i++)
        {
            WriteInt32(bits[i]);
        }
    }

    public void WriteString(string? value)
    {
        if (value is null)
        {
            WriteInt32(-1);
            return;
        }

        var count = Encoding.UTF8.GetByteCount(value);
        WriteInt32(count);
        Ensure(count);
        Length += Encoding.UTF8.GetBytes(value, _bytes.AsSpan(Length));
    }

    /// <summary>Empties the buffer and gives back memory beyond <paramref name="maxBytes"/> that a large batch grew it to.</summary>
    public void Reset(int maxBytes)
    {
        Length = 0;
        if (_bytes.Length > maxBytes)
        {
            _bytes = new byte[maxBytes];
        }
    }

    private void Ensure(int count)
    {
        if (Length + count > _bytes.Length)
        {
            Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, Length + count));
        }
    }
}
