namespace AiOrchestrator.Caching.Semantic;

/// <summary>
/// The entries of one partition of a <see cref="SemanticIndex"/>, stored by row: row <c>r</c>'s unit vector is
/// <c>Vectors[r × dims .. (r + 1) × dims]</c> and its 8-bit codes the same range of <see cref="Codes"/>, so a scan walks
/// memory in order. Rows 0 to <see cref="Count"/> − 1 are live; a removed row is filled with the last one (swap-remove).
/// The arrays double when full, up to the partition cap. Guarded by the index's lock.
/// </summary>
internal sealed class SemanticPartition
{
    private const int InitialCapacity = 16;

    private readonly int _dimensions;
    private readonly int _maxRows;

    public SemanticPartition(string name, int dimensions, int maxRows)
    {
        Name = name;
        _dimensions = dimensions;
        _maxRows = maxRows;
    }

    /// <summary>The partition string, for example <c>org=acme|model=gpt-4o|opts=ab12</c>.</summary>
    public string Name { get; }

    /// <summary>The live rows.</summary>
    public int Count { get; private set; }

    /// <summary>The unit vectors, row after row (capacity × dims floats).</summary>
    public float[] Vectors { get; private set; } = [];

    /// <summary>The 8-bit codes of the vectors, row after row (see <see cref="SemanticVectors"/>).</summary>
    public byte[] Codes { get; private set; } = [];

    /// <summary>The quantisation scale of each row.</summary>
    public float[] Scales { get; private set; } = [];

    /// <summary>The quantisation error norm of each row.</summary>
    public float[] Errors { get; private set; } = [];

    /// <summary>The entry slot each row belongs to.</summary>
    public int[] RowSlots { get; private set; } = [];

    /// <summary>The slot of each entry key in this partition.</summary>
    public Dictionary<string, int> SlotsByKey { get; } = new(StringComparer.Ordinal);

    /// <summary>The partition's entries, least recently used first (links in the index's partition-recency table).</summary>
    public SlotList Recency = SlotList.Empty;

    /// <summary>The bytes the rows hold (vectors, codes, scales, errors and row slots, at capacity).</summary>
    public long Bytes => (Vectors.LongLength * sizeof(float)) + Codes.LongLength + ((Scales.LongLength + Errors.LongLength + RowSlots.LongLength) * 4);

    /// <summary>The vector of <paramref name="row"/>.</summary>
    public Span<float> Vector(int row) => Vectors.AsSpan(row * _dimensions, _dimensions);

    /// <summary>Appends a row for <paramref name="slot"/> (its vector still to be written) and returns its number.</summary>
    public int AddRow(int slot)
    {
        if (Count == RowSlots.Length)
        {
            Grow();
        }

        RowSlots[Count] = slot;
        return Count++;
    }

    /// <summary>Writes the unit vector <paramref name="unit"/> and its codes into <paramref name="row"/>.</summary>
    public void Write(int row, ReadOnlySpan<float> unit)
    {
        unit.CopyTo(Vector(row));
        (Scales[row], Errors[row]) = SemanticVectors.Quantize(unit, Codes.AsSpan(row * _dimensions, _dimensions));
    }

    /// <summary>
    /// Removes <paramref name="row"/> by moving the last row into it; returns the slot whose row changed to
    /// <paramref name="row"/>, or -1 when the removed row was the last.
    /// </summary>
    public int RemoveRow(int row)
    {
        var last = Count - 1;
        var moved = -1;
        if (row != last)
        {
            Vectors.AsSpan(last * _dimensions, _dimensions).CopyTo(Vectors.AsSpan(row * _dimensions, _dimensions));
            Codes.AsSpan(last * _dimensions, _dimensions).CopyTo(Codes.AsSpan(row * _dimensions, _dimensions));
            Scales[row] = Scales[last];
            Errors[row] = Errors[last];
            RowSlots[row] = moved = RowSlots[last];
        }

        RowSlots[last] = -1;
        Count = last;
        return moved;
    }

    private void Grow()
    {
        var capacity = (int)Math.Min(Math.Max(InitialCapacity, (long)RowSlots.Length * 2), _maxRows);
        var vectors = new float[(long)capacity * _dimensions];
        var codes = new byte[(long)capacity * _dimensions];
        Vectors.AsSpan(0, Count * _dimensions).CopyTo(vectors);
        Codes.AsSpan(0, Count * _dimensions).CopyTo(codes);
        Vectors = vectors;
        Codes = codes;
        Scales = Resized(Scales, capacity);
        Errors = Resized(Errors, capacity);
        RowSlots = Resized(RowSlots, capacity);

        static T[] Resized<T>(T[] array, int length)
        {
            var copy = array;
            Array.Resize(ref copy, length);
            return copy;
        }
    }
}
