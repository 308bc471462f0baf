using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using AiOrchestrator.Pipeline;

namespace AiOrchestrator.Audit;

/// <summary>
/// Proof that the log of <see cref="FirstSize"/> entries is a prefix of the log of <see cref="SecondSize"/> entries
/// (RFC 9162 §2.1.4): nothing written before was changed or removed, only entries were added. Checked with the two
/// root hashes alone, for example those of an older and a newer signed checkpoint.
/// </summary>
[Experimental(AiCall.ExperimentalDiagnosticId)]
public sealed class ConsistencyProof
{
    /// <summary>Creates a proof (as read back from storage or a message).</summary>
    public ConsistencyProof(long firstSize, long secondSize, IReadOnlyList<ReadOnlyMemory<byte>> path)
    {
        ArgumentNullException.ThrowIfNull(path);
        FirstSize = firstSize;
        SecondSize = secondSize;
        Path = path;
    }

    /// <summary>The size of the older tree.</summary>
    public long FirstSize { get; }

    /// <summary>The size of the newer tree.</summary>
    public long SecondSize { get; }

    /// <summary>The proof's hashes.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Path { get; }

    /// <summary>
    /// Checks the proof against the two root hashes, following RFC 9162 §2.1.4.2 (equal sizes need an empty proof and
    /// equal roots; the empty tree is a prefix of every tree). Never throws on bad input: false and the reason.
    /// </summary>
    public bool Verify(ReadOnlySpan<byte> firstRoot, ReadOnlySpan<byte> secondRoot, [NotNullWhen(false)] out string? failure)
    {
        if (firstRoot.Length != MerkleHash.Size || secondRoot.Length != MerkleHash.Size)
        {
            failure = "both root hashes must be 32 bytes";
            return false;
        }

        if (FirstSize < 0 || SecondSize < FirstSize)
        {
            failure = $"a tree of {FirstSize} entries cannot be a prefix of one of {SecondSize}";
            return false;
        }

        if (FirstSize == 0 || FirstSize == SecondSize)
        {
            if (Path.Count != 0)
            {
                failure = $"the proof between sizes {FirstSize} and {SecondSize} must be empty, but has {Path.Count} hashes";
                return false;
            }

            if (FirstSize == SecondSize && !firstRoot.SequenceEqual(secondRoot))
            {
                failure = $"the two trees have the same size ({FirstSize}) but different root hashes";
                return false;
            }

            failure = null;
            return true;
        }

        if (Path.Count == 0)
        {
            failure = "the proof is empty";
            return false;
        }

        for (var i = 0; i < Path.Count; i++)
        {
            if (Path[i].Length != MerkleHash.Size)
            {
                failure = $"hash {i} of the proof is {Path[i].Length} bytes, not 32";
                return false;
            }
        }

        // When the first tree is a complete subtree, its root is the proof's implicit first hash.
        var start = 0;
        Span<byte> fr = stackalloc byte[MerkleHash.Size];
        Span<byte> sr = stackalloc byte[MerkleHash.Size];
        if (BitOperations.IsPow2(FirstSize))
        {
            firstRoot.CopyTo(fr);
        }
        else
        {
            Path[0].Span.CopyTo(fr);
            start = 1;
        }

        fr.CopyTo(sr);
        var fn = FirstSize - 1;
        var sn = SecondSize - 1;
        while ((fn & 1) == 1)
        {
            fn >>= 1;
            sn >>= 1;
        }

        for (var i = start; i < Path.Count; i++)
        {
            var c = Path[i].Span;
            if (sn == 0)
            {
                failure = $"the proof has {Path.Count} hashes, more than sizes {FirstSize} and {SecondSize} need";
                return false;
            }

            if ((fn & 1) == 1 || fn == sn)
            {
                MerkleHash.HashChildren(c, fr, fr);
                MerkleHash.HashChildren(c, sr, sr);
                while ((fn & 1) == 0 && fn != 0)
                {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
            else
            {
                MerkleHash.HashChildren(sr, c, sr);
            }

            fn >>= 1;
            sn >>= 1;
        }

        if (sn != 0)
        {
            failure = $"the proof has {Path.Count} hashes, fewer than sizes {FirstSize} and {SecondSize} need";
            return false;
        }

        if (!fr.SequenceEqual(firstRoot))
        {
            failure = $"the proof does not lead to the root hash of the first tree ({FirstSize} entries)";
            return false;
        }

        if (!sr.SequenceEqual(secondRoot))
        {
            failure = $"the proof does not lead to the root hash of the second tree ({SecondSize} entries): entries before {FirstSize} were changed, or a hash or size is wrong";
            return false;
        }

        failure = null;
        return true;
    }
}
