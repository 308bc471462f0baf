using System.Buffers.Binary;
using System.Text;

namespace AiOrchestrator.Budgets;

/// <summary>Reads the little-endian values <see cref="JournalBuffer"/> writes.</summary>
internal ref struct JournalReader(ReadOnlySpan<byte> data)
{
    private ReadOnlySpan<byte> _data = data;

    public byte ReadByte()
    {
        var value = _data[0];
        _data = _data[1..];
        return value;
    }

    public int ReadInt32()
    {
        var value = BinaryPrimitives.ReadInt32LittleEndian(_data);
        _data = _data[4..];
        return value;
    }

    public long ReadInt64()
    {
        var value = BinaryPrimitives.ReadInt64LittleEndian(_data);
        _data = _data[8..];
        return value;
    }

    public Guid ReadGuid()
    {
        var value = new Guid(_data[..16]);
        _data = _data[16..];
        return value;
    }

    public decimal ReadDecimal()
    {
        Span<int> bits = stackalloc int[4];
        for (var i = 0; i < 4; i++)
        {
            bits[i] = ReadInt32();
        }

        return new decimal(bits);
    }

    public string? ReadString()
    {
        var length = ReadInt32();
        if (length < 0)
        {
            return null;
        }

        var value = Encoding.UTF8.GetString(_data[..length]);
        _data = _data[length..];
        return value;
    }
}
