using System.Diagnostics.CodeAnalysis;
using AiOrchestrator.Pipeline;

namespace AiOrchestrator.Audit;

/// <summary>
/// Proof that one entry is in the log of a given size (RFC 9162 §2.1.3): the hashes of the sibling subtrees on the
/// way from the entry's leaf to the root, lowest first. Anyone holding the root hash of that size (from a signed
/// checkpoint) can check it without the log.
/// </summary>
[Experimental(AiCall.ExperimentalDiagnosticId)]
public sealed class InclusionProof
{
    /// <summary>Creates a proof (as read back from storage or a message).</summary>
    public InclusionProof(long leafIndex, long treeSize, IReadOnlyList<ReadOnlyMemory<byte>> path)
    {
        ArgumentNullException.ThrowIfNull(path);
        LeafIndex = leafIndex;
        TreeSize = treeSize;
        Path = path;
    }

    /// <summary>The entry's sequence number (its leaf index).</summary>
    public long LeafIndex { get; }

    /// <summary>The size of the tree the proof is for.</summary>
    public long TreeSize { get; }

    /// <summary>The sibling hashes, from the leaf's level up.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Path { get; }

    /// <summary>
    /// Checks the proof for an entry's leaf hash against the root hash of <see cref="TreeSize"/> entries, following
    /// RFC 9162 §2.1.3.2. Never throws on bad input: a malformed or wrong proof gives false and the reason.
    /// </summary>
    public bool Verify(ReadOnlySpan<byte> leafHash, ReadOnlySpan<byte> rootHash, [NotNullWhen(false)] out string? failure)
    {
        if (leafHash.Length != MerkleHash.Size || rootHash.Length != MerkleHash.Size)
        {
            failure = "the leaf hash and the root hash must be 32 bytes each";
            return false;
        }

        if (LeafIndex < 0 || TreeSize <= 0 || LeafIndex >= TreeSize)
        {
            failure = $"leaf index {LeafIndex} is not inside a tree of {TreeSize} entries";
            return false;
        }

        var fn = LeafIndex;
        var sn = TreeSize - 1;
        Span<byte> r = stackalloc byte[MerkleHash.Size];
        leafHash.CopyTo(r);
        for (var i = 0; i < Path.Count; i++)
        {
            var p = Path[i].Span;
            if (p.Length != MerkleHash.Size)
            {
                failure = $"hash {i} of the proof is {p.Length} bytes, not 32";
                return false;
            }

            if (sn == 0)
            {
                failure = $"the proof has {Path.Count} hashes, more than a tree of {TreeSize} entries needs for leaf {LeafIndex}";
                return false;
            }

            if ((fn & 1) == 1 || fn == sn)
            {
                MerkleHash.HashChildren(p, r, r);
                if ((fn & 1) == 0)
                {
                    while ((fn & 1) == 0 && fn != 0)
                    {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            }
            else
            {
                MerkleHash.HashChildren(r, p, r);
            }

            fn >>= 1;
            sn >>= 1;
        }

        if (sn != 0)
        {
            failure = $"the proof has {Path.Count} hashes, fewer than a tree of {TreeSize} entries needs for leaf {LeafIndex}";
            return false;
        }

        if (!r.SequenceEqual(rootHash))
        {
            failure = $"the proof does not lead to the root hash of {TreeSize} entries: the entry, a proof hash, the index or the size is wrong";
            return false;
        }

        failure = null;
        return true;
    }
}
