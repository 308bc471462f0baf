using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using AiOrchestrator.Pipeline;

namespace AiOrchestrator.Audit;

/// <summary>
/// The hashes of the audit log's Merkle tree, as RFC 9162 §2.1.1 defines them with SHA-256: a leaf is hashed as
/// <c>SHA-256(0x00 || entry)</c>, an interior node as <c>SHA-256(0x01 || left || right)</c> (the prefixes keep a leaf
/// from being passed off as a node), and the empty tree's hash is <c>SHA-256()</c>.
/// </summary>
[Experimental(AiCall.ExperimentalDiagnosticId)]
public static class MerkleHash
{
    /// <summary>The length of a hash in bytes.</summary>
    public const int Size = 32;

    /// <summary>The root hash of the empty tree: SHA-256 of no bytes.</summary>
    public static byte[] EmptyRoot() => SHA256.HashData(ReadOnlySpan<byte>.Empty);

    /// <summary>The leaf hash of an entry's canonical bytes.</summary>
    public static byte[] HashLeaf(ReadOnlySpan<byte> entry)
    {
        var hash = new byte[Size];
        HashLeaf(entry, hash);
        return hash;
    }

    /// <summary>Writes the leaf hash of an entry's canonical bytes to <paramref name="destination"/> (32 bytes).</summary>
    public static void HashLeaf(ReadOnlySpan<byte> entry, Span<byte> destination)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData([0]);
        hash.AppendData(entry);
        hash.GetHashAndReset(destination);
    }

    /// <summary>The hash of an interior node from its children's hashes.</summary>
    public static byte[] HashChildren(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        var hash = new byte[Size];
        HashChildren(left, right, hash);
        return hash;
    }

    /// <summary>Writes the hash of an interior node from its children's hashes to <paramref name="destination"/>.</summary>
    public static void HashChildren(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right, Span<byte> destination)
    {
        Span<byte> input = stackalloc byte[1 + (2 * Size)];
        input[0] = 1;
        left.CopyTo(input[1..]);
        right.CopyTo(input[(1 + Size)..]);
        SHA256.HashData(input, destination);
    }

    /// <summary>
    /// The root hash of a tree over <paramref name="leafHashes"/>, computed directly from the definition (RFC 9162
    /// §2.1.1, splitting at the largest power of two below the size). For checking; the log keeps its tree instead.
    /// </summary>
    public static byte[] ComputeRoot(IReadOnlyList<byte[]> leafHashes)
    {
        ArgumentNullException.ThrowIfNull(leafHashes);
        return leafHashes.Count == 0 ? EmptyRoot() : Root(leafHashes, 0, leafHashes.Count);

        static byte[] Root(IReadOnlyList<byte[]> leaves, int start, int end)
        {
            if (end - start == 1)
            {
                return leaves[start];
            }

            var k = (int)LargestPowerOfTwoBelow(end - start);
            return HashChildren(Root(leaves, start, start + k), Root(leaves, start + k, end));
        }
    }

    /// <summary>The largest power of two smaller than <paramref name="n"/> (n at least 2).</summary>
    internal static long LargestPowerOfTwoBelow(long n) => 1L << (63 - (int)long.LeadingZeroCount(n - 1));
}
