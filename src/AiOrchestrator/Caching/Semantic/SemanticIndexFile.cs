using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace AiOrchestrator.Caching.Semantic;

/// <summary>
/// The stream format of a saved <see cref="SemanticIndex"/> (version 1), all integers little-endian:
/// <code>
/// header     "AIOSEMIX" (8 bytes) · version u16 = 1 · flags u16 = 0 · dimensions i32 · partitions i32 · entries i32
/// partitions partitions × (UTF-8 length i32 · name)
/// entries    entries × (partition number i32 · key UTF-8 length i32 · key · created UTC ticks i64 · dimensions × f32)
///            least recently used first, so loading them in order restores the recency order
/// trailer    "END!" · SHA-256 of every byte before the trailer (32 bytes)
/// </code>
/// A reader checks everything (magic, version, counts, lengths, indices, that every vector is finite and of unit length,
/// no key twice in a partition) and the checksum before it hands any entry back, and throws
/// <see cref="InvalidDataException"/> naming the first problem.
/// </summary>
internal static class SemanticIndexFile
{
    /// <summary>The format version written.</summary>
    public const ushort Version = 1;

    private const int MaxStringBytes = 1 << 20;
    private static readonly byte[] Magic = "AIOSEMIX"u8.ToArray();
    private static readonly byte[] TrailerMark = "END!"u8.ToArray();

    /// <summary>An entry as stored: its partition (an index into the partition names), key, creation time and unit vector.</summary>
    public readonly record struct StoredEntry(int Partition, string Key, long CreatedTicks, int VectorOffset);

    /// <summary>What a file holds: the partition names, the entries (least recently used first) and their vectors, row after row.</summary>
    public sealed record Contents(string[] Partitions, StoredEntry[] Entries, float[] Vectors);

    /// <summary>Writes the header and partition table; then the caller writes each entry with <see cref="WriteEntry"/> and ends with <see cref="WriteTrailer"/>.</summary>
    public static void WriteHeader(Writer writer, int dimensions, IReadOnlyList<string> partitions, int entries)
    {
        writer.Write(Magic);
        Span<byte> fixedPart = stackalloc byte[16];
        BinaryPrimitives.WriteUInt16LittleEndian(fixedPart, Version);
        BinaryPrimitives.WriteUInt16LittleEndian(fixedPart[2..], 0);
        BinaryPrimitives.WriteInt32LittleEndian(fixedPart[4..], dimensions);
        BinaryPrimitives.WriteInt32LittleEndian(fixedPart[8..], partitions.Count);
        BinaryPrimitives.WriteInt32LittleEndian(fixedPart[12..], entries);
        writer.Write(fixedPart);
        foreach (var partition in partitions)
        {
            writer.WriteString(partition);
        }
    }

    /// <summary>Writes one entry.</summary>
    public static void WriteEntry(Writer writer, int partition, string key, long createdTicks, ReadOnlySpan<float> vector)
    {
        writer.WriteInt32(partition);
        writer.WriteString(key);
        writer.WriteInt64(createdTicks);
        if (BitConverter.IsLittleEndian)
        {
            writer.Write(MemoryMarshal.AsBytes(vector));
        }
        else
        {
            foreach (var value in vector)
            {
                writer.WriteInt32(BitConverter.SingleToInt32Bits(value));
            }
        }
    }

    /// <summary>Writes the trailer: the end mark and the checksum of everything before it.</summary>
    public static void WriteTrailer(Writer writer) => writer.WriteTrailer(TrailerMark);

    /// <summary>Reads and checks a whole file; throws <see cref="InvalidDataException"/> naming what is wrong.</summary>
    public static Contents Read(Stream stream, int expectedDimensions)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var reader = new Reader(stream, hash);
        Span<byte> magic = stackalloc byte[8];
        reader.Read(magic, "the header");
        if (!magic.SequenceEqual(Magic))
        {
            throw new InvalidDataException("This is not a semantic index file: it does not begin with \"AIOSEMIX\".");
        }

        var version = (ushort)reader.ReadInt16("the header");
        if (version != Version)
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"The semantic index file is format version {version}; this build reads version {Version}."));
        }

        var flags = (ushort)reader.ReadInt16("the header");
        if (flags != 0)
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"The semantic index file has flags {flags:x4}, which this build does not know."));
        }

        var dimensions = reader.ReadInt32("the header");
        if (dimensions != expectedDimensions)
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"The semantic index file holds vectors of {dimensions} dimensions; this index holds {expectedDimensions}. It was saved for another embedding model; it is refused."));
        }

        var partitionCount = reader.ReadInt32("the header");
        var entryCount = reader.ReadInt32("the header");
        if (partitionCount < 0 || entryCount < 0 || partitionCount > entryCount || (long)entryCount * dimensions > Array.MaxLength)
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"The semantic index file's header is corrupt: {partitionCount} partitions and {entryCount} entries."));
        }

        // The counts are not trusted until the checksum is: storage grows as entries are read, so a corrupt count
        // ends in "truncated" rather than in a huge allocation.
        var partitions = new List<string>(Math.Min(partitionCount, 1024));
        for (var i = 0; i < partitionCount; i++)
        {
            var name = reader.ReadString(string.Create(CultureInfo.InvariantCulture, $"partition name {i} of {partitionCount}"));
            if (name.Length == 0)
            {
                throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"The semantic index file is corrupt: partition name {i} is empty."));
            }

            partitions.Add(name);
        }

        var entries = new List<StoredEntry>(Math.Min(entryCount, 1024));
        var vectors = new float[Math.Min(entryCount, 1024) * dimensions];
        var keys = new HashSet<(int, string)>();
        var bytes = new byte[dimensions * sizeof(float)];
        for (var i = 0; i < entryCount; i++)
        {
            var where = string.Create(CultureInfo.InvariantCulture, $"entry {i} of {entryCount}");
            var partition = reader.ReadInt32(where);
            if ((uint)partition >= (uint)partitionCount)
            {
                throw new InvalidDataException($"The semantic index file is corrupt: {where} names partition {partition}, but there are {partitionCount}.");
            }

            var key = reader.ReadString(where);
            if (key.Length == 0 || !keys.Add((partition, key)))
            {
                throw new InvalidDataException($"The semantic index file is corrupt: {where} has an empty key or a key already in its partition.");
            }

            var created = reader.ReadInt64(where);
            reader.Read(bytes, where);
            if ((i + 1) * dimensions > vectors.Length)
            {
                Array.Resize(ref vectors, Math.Min(entryCount, Math.Max(1, i) * 2) * dimensions);
            }

            var vector = vectors.AsSpan(i * dimensions, dimensions);
            for (var d = 0; d < dimensions; d++)
            {
                vector[d] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(d * sizeof(float)));
            }

            var norm = System.Numerics.Tensors.TensorPrimitives.Norm<float>(vector);
            if (!float.IsFinite(norm) || MathF.Abs(norm - 1f) > 1e-3f)
            {
                throw new InvalidDataException($"The semantic index file is corrupt: the vector of {where} is not a finite unit vector.");
            }

            entries.Add(new StoredEntry(partition, key, created, i * dimensions));
        }

        var computed = hash.GetHashAndReset();
        Span<byte> trailer = stackalloc byte[4 + 32];
        reader.ReadUnhashed(trailer, "the trailer");
        if (!trailer[..4].SequenceEqual(TrailerMark))
        {
            throw new InvalidDataException("The semantic index file is corrupt: the end mark after the last entry is missing.");
        }

        if (!trailer[4..].SequenceEqual(computed))
        {
            throw new InvalidDataException("The semantic index file is corrupt: its SHA-256 checksum does not match its contents.");
        }

        if (stream.ReadByte() >= 0)
        {
            throw new InvalidDataException("The semantic index file is corrupt: there are bytes after its checksum.");
        }

        return new Contents([.. partitions], [.. entries], vectors);
    }

    /// <summary>Writes to a stream and hashes what it writes.</summary>
    internal sealed class Writer(Stream stream) : IDisposable
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        public void Write(ReadOnlySpan<byte> bytes)
        {
            _hash.AppendData(bytes);
            stream.Write(bytes);
        }

        public void WriteInt32(int value)
        {
            Span<byte> bytes = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(bytes, value);
            Write(bytes);
        }

        public void WriteInt64(long value)
        {
            Span<byte> bytes = stackalloc byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
            Write(bytes);
        }

        public void WriteString(string value)
        {
            var bytes = Encoding.UTF8.GetBytes(value);
            if (bytes.Length > MaxStringBytes)
            {
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"A key or partition name of {bytes.Length} bytes is longer than the file format allows ({MaxStringBytes})."));
            }

            WriteInt32(bytes.Length);
            Write(bytes);
        }

        public void WriteTrailer(ReadOnlySpan<byte> mark)
        {
            var checksum = _hash.GetHashAndReset();
            stream.Write(mark);
            stream.Write(checksum);
        }

        public void Dispose() => _hash.Dispose();
    }

    /// <summary>Reads exactly what is asked from a stream, hashing it; a short read is a truncated file.</summary>
    private sealed class Reader(Stream stream, IncrementalHash hash)
    {
        public void Read(Span<byte> buffer, string where)
        {
            ReadUnhashed(buffer, where);
            hash.AppendData(buffer);
        }

        public void ReadUnhashed(Span<byte> buffer, string where)
        {
            if (stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false) < buffer.Length)
            {
                throw new InvalidDataException($"The semantic index file is truncated: it ends inside {where}.");
            }
        }

        public short ReadInt16(string where)
        {
            Span<byte> bytes = stackalloc byte[2];
            Read(bytes, where);
            return BinaryPrimitives.ReadInt16LittleEndian(bytes);
        }

        public int ReadInt32(string where)
        {
            Span<byte> bytes = stackalloc byte[4];
            Read(bytes, where);
            return BinaryPrimitives.ReadInt32LittleEndian(bytes);
        }

        public long ReadInt64(string where)
        {
            Span<byte> bytes = stackalloc byte[8];
            Read(bytes, where);
            return BinaryPrimitives.ReadInt64LittleEndian(bytes);
        }

        public string ReadString(string where)
        {
            var length = ReadInt32(where);
            if (length is < 0 or > MaxStringBytes)
            {
                throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"The semantic index file is corrupt: {where} has a string of {length} bytes."));
            }

            var bytes = new byte[length];
            Read(bytes, where);
            try
            {
                return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
            }
            catch (DecoderFallbackException)
            {
                throw new InvalidDataException($"The semantic index file is corrupt: {where} has a string that is not UTF-8.");
            }
        }
    }
}
