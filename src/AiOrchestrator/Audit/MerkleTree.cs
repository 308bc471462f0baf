using System.Numerics;

namespace AiOrchestrator.Audit;

/// <summary>
/// The audit log's Merkle tree (RFC 9162 §2.1), kept so that roots and proofs for any earlier size take a few dozen
/// hashes instead of rehashing the leaves. It stores every leaf hash (32 bytes a leaf) and the hashes of complete
/// subtrees of 16 leaves and more (about 4 bytes a leaf in all); the complete subtrees of 2, 4 and 8 leaves are
/// recomputed from the leaves when a proof needs them (at most 11 hashes per level crossed). About 36 bytes a leaf:
/// 36 MB for a million entries. Thread-safe: one appender, many readers.
/// </summary>
internal sealed class MerkleTree
{
    /// <summary>Complete subtrees of this height and more are stored; lower ones are recomputed.</summary>
    private const int StoredFromLevel = 4;

    private readonly HashColumn _leaves = new(13);
    private readonly HashColumn?[] _levels = new HashColumn?[64];
    private readonly byte[][] _frontier = new byte[64][];
    private readonly Lock _lock = new();
    private long _size;

    public long Size => Volatile.Read(ref _size);

    /// <summary>Bytes held for the tree's hashes.</summary>
    public long MemoryBytes
    {
        get
        {
            lock (_lock)
            {
                var bytes = _leaves.AllocatedBytes;
                foreach (var level in _levels)
                {
                    bytes += level?.AllocatedBytes ?? 0;
                }

                return bytes;
            }
        }
    }

    /// <summary>Appends a leaf hash; completes the subtrees it closes.</summary>
    public void Append(ReadOnlySpan<byte> leafHash)
    {
        lock (_lock)
        {
            var index = _size;
            _leaves.Add(leafHash);
            Span<byte> node = stackalloc byte[MerkleHash.Size];
            leafHash.CopyTo(node);
            var level = 0;
            while ((index & 1) == 1)
            {
                MerkleHash.HashChildren(_frontier[level], node, node);
                level++;
                index >>= 1;
                if (level >= StoredFromLevel)
                {
                    (_levels[level] ??= new HashColumn(Math.Max(4, 16 - level))).Add(node);
                }
            }

            node.CopyTo(_frontier[level] ??= new byte[MerkleHash.Size]);
            Volatile.Write(ref _size, _size + 1);
        }
    }

    /// <summary>The leaf hash at <paramref name="index"/>.</summary>
    public byte[] Leaf(long index)
    {
        lock (_lock)
        {
            Check(index < _size, "leaf index");
            return _leaves.Get(index).ToArray();
        }
    }

    /// <summary>The root hash of the tree's first <paramref name="size"/> leaves.</summary>
    public byte[] Root(long size)
    {
        var root = new byte[MerkleHash.Size];
        lock (_lock)
        {
            Check(size <= _size, "tree size");
            if (size == 0)
            {
                return MerkleHash.EmptyRoot();
            }

            Hash(0, size, root);
        }

        return root;
    }

    /// <summary>The inclusion proof of leaf <paramref name="index"/> in the tree of <paramref name="size"/> leaves (RFC 9162 §2.1.3.1).</summary>
    public List<ReadOnlyMemory<byte>> InclusionPath(long index, long size)
    {
        var path = new List<ReadOnlyMemory<byte>>(64);
        lock (_lock)
        {
            Check(size <= _size, "tree size");
            Check(index < size, "leaf index");
            Path(index, 0, size, path);
        }

        return path;
    }

    /// <summary>The consistency proof between the trees of <paramref name="first"/> and <paramref name="second"/> leaves (RFC 9162 §2.1.4.1).</summary>
    public List<ReadOnlyMemory<byte>> ConsistencyPath(long first, long second)
    {
        var path = new List<ReadOnlyMemory<byte>>(64);
        lock (_lock)
        {
            Check(second <= _size, "second tree size");
            Check(first <= second, "first tree size");
            if (first > 0 && first < second)
            {
                SubProof(first, 0, second, true, path);
            }
        }

        return path;
    }

    private static void Check(bool condition, string what)
    {
        if (!condition)
        {
            throw new ArgumentOutOfRangeException(what, $"The {what} is beyond the log.");
        }
    }

    // PATH(m, D[start:end]): the recursive part first, then the sibling subtree's hash.
    private void Path(long m, long start, long end, List<ReadOnlyMemory<byte>> path)
    {
        var n = end - start;
        if (n == 1)
        {
            return;
        }

        var k = MerkleHash.LargestPowerOfTwoBelow(n);
        var sibling = new byte[MerkleHash.Size];
        if (m < start + k)
        {
            Path(m, start, start + k, path);
            Hash(start + k, end, sibling);
        }
        else
        {
            Path(m, start + k, end, path);
            Hash(start, start + k, sibling);
        }

        path.Add(sibling);
    }

    // SUBPROOF(m, D[start:end], b), with m counted from start.
    private void SubProof(long m, long start, long end, bool whole, List<ReadOnlyMemory<byte>> path)
    {
        var n = end - start;
        if (m == n)
        {
            if (!whole)
            {
                var hash = new byte[MerkleHash.Size];
                Hash(start, end, hash);
                path.Add(hash);
            }

            return;
        }

        var k = MerkleHash.LargestPowerOfTwoBelow(n);
        var sibling = new byte[MerkleHash.Size];
        if (m <= k)
        {
            SubProof(m, start, start + k, whole, path);
            Hash(start + k, end, sibling);
        }
        else
        {
            SubProof(m - k, start + k, end, false, path);
            Hash(start, start + k, sibling);
        }

        path.Add(sibling);
    }

    /// <summary>MTH(D[start:end]) from stored complete subtrees.</summary>
    private void Hash(long start, long end, Span<byte> destination)
    {
        var n = end - start;
        if (BitOperations.IsPow2(n) && start % n == 0)
        {
            var level = BitOperations.Log2((ulong)n);
            Node(level, start >> level, destination);
            return;
        }

        var k = MerkleHash.LargestPowerOfTwoBelow(n);
        Span<byte> left = stackalloc byte[MerkleHash.Size];
        Span<byte> right = stackalloc byte[MerkleHash.Size];
        Hash(start, start + k, left);
        Hash(start + k, end, right);
        MerkleHash.HashChildren(left, right, destination);
    }

    /// <summary>The hash of the complete subtree at <paramref name="level"/> (0: leaves) and position <paramref name="index"/>.</summary>
    private void Node(int level, long index, Span<byte> destination)
    {
        if (level == 0)
        {
            _leaves.Get(index).CopyTo(destination);
            return;
        }

        if (level >= StoredFromLevel)
        {
            _levels[level]!.Get(index).CopyTo(destination);
            return;
        }

        Span<byte> left = stackalloc byte[MerkleHash.Size];
        Span<byte> right = stackalloc byte[MerkleHash.Size];
        Node(level - 1, 2 * index, left);
        Node(level - 1, (2 * index) + 1, right);
        MerkleHash.HashChildren(left, right, destination);
    }

    /// <summary>
    /// 32-byte hashes in fixed chunks (8,192 hashes, 256 KiB, for the leaves; smaller for the sparser levels), so
    /// growth never copies and no array is huge.
    /// </summary>
    private sealed class HashColumn(int chunkBits)
    {
        private readonly int _chunkHashes = 1 << chunkBits;
        private readonly List<byte[]> _chunks = [];
        private long _count;

        public long AllocatedBytes => (long)_chunks.Count * _chunkHashes * MerkleHash.Size;

        public void Add(ReadOnlySpan<byte> hash)
        {
            var slot = (int)(_count & (_chunkHashes - 1));
            if (slot == 0)
            {
                _chunks.Add(new byte[_chunkHashes * MerkleHash.Size]);
            }

            hash.CopyTo(_chunks[^1].AsSpan(slot * MerkleHash.Size, MerkleHash.Size));
            _count++;
        }

        public ReadOnlySpan<byte> Get(long index)
            => _chunks[(int)(index >> chunkBits)].AsSpan((int)(index & (_chunkHashes - 1)) * MerkleHash.Size, MerkleHash.Size);
    }
}
