using System.Text;
using AiOrchestrator.Audit;

namespace AiOrchestrator.Tests.Audit;

/// <summary>RFC 9162 §2.1 roots and proofs for every tree size 1..1,000, and every kind of mutated proof rejected.</summary>
public class MerkleProofTests
{
    private const int MaxSize = 1000;

    private static readonly Lazy<(MerkleTree Tree, List<byte[]> Leaves, byte[][] Roots)> Shared = new(() =>
    {
        var tree = new MerkleTree();
        var leaves = new List<byte[]>();
        var roots = new byte[MaxSize + 2][];
        roots[0] = MerkleHash.EmptyRoot();
        for (var i = 0; i <= MaxSize; i++)
        {
            var leaf = MerkleHash.HashLeaf(Encoding.UTF8.GetBytes("entry " + i));
            leaves.Add(leaf);
            tree.Append(leaf);
            roots[i + 1] = MerkleHash.ComputeRoot(leaves);
        }

        return (tree, leaves, roots);
    });

    private static MerkleTree Tree => Shared.Value.Tree;

    private static byte[] Leaf(long i) => Shared.Value.Leaves[(int)i];

    private static byte[] Root(long size) => Shared.Value.Roots[size];

    private static readonly int[] MutationSizes = [1, 2, 3, 4, 5, 6, 7, 8, 9, 15, 16, 17, 31, 33, 100, 127, 128, 129, 255, 256, 257, 511, 513, 999, 1000];

    private static IEnumerable<long> Indices(long size) => size <= 128
        ? Enumerable.Range(0, (int)size).Select(i => (long)i)
        : new long[] { 0, 1, 2, size / 3, size / 2, (2 * size) / 3, size - 17, size - 2, size - 1 }.Where(i => i >= 0 && i < size).Distinct();

    [Fact]
    public void The_stored_tree_gives_the_root_of_the_definition_for_every_size()
    {
        for (var size = 0; size <= MaxSize + 1; size++)
        {
            Tree.Root(size).Should().Equal(Root(size), $"size {size}");
        }

        Tree.Root(0).Should().Equal(Convert.FromHexString("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
    }

    [Fact]
    public void Hashes_are_domain_separated_as_in_RFC_9162()
    {
        // SHA-256(0x00) and SHA-256(0x01 || 0x00*64), computed independently.
        MerkleHash.HashLeaf([]).Should().Equal(Convert.FromHexString("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"));
        MerkleHash.HashChildren(new byte[32], new byte[32]).Should().Equal(System.Security.Cryptography.SHA256.HashData([1, .. new byte[64]]));
    }

    [Fact]
    public void Inclusion_proofs_verify_for_every_size_up_to_1000()
    {
        var checkedProofs = 0;
        for (long size = 1; size <= MaxSize; size++)
        {
            foreach (var index in Indices(size))
            {
                var proof = new InclusionProof(index, size, Tree.InclusionPath(index, size));
                proof.Verify(Leaf(index), Root(size), out var failure).Should().BeTrue($"leaf {index} of {size}: {failure}");
                proof.Path.Count.Should().BeLessThanOrEqualTo(64 - (int)long.LeadingZeroCount(size - 1));
                checkedProofs++;
            }
        }

        checkedProofs.Should().BeGreaterThan(15_000);
    }

    [Fact]
    public void Every_mutated_inclusion_proof_is_rejected()
    {
        foreach (var size in MutationSizes)
        {
            foreach (var index in Indices(size))
            {
                var path = Tree.InclusionPath(index, size);
                void Rejected(InclusionProof proof, byte[] leaf, byte[] root, string what)
                {
                    proof.Verify(leaf, root, out var failure).Should().BeFalse($"{what} (leaf {index} of {size})");
                    failure.Should().NotBeNullOrEmpty();
                }

                for (var h = 0; h < path.Count; h++)
                {
                    foreach (var bit in new[] { 0, 77, 255 })
                    {
                        Rejected(new InclusionProof(index, size, Flip(path, h, bit)), Leaf(index), Root(size), $"bit {bit} of hash {h} flipped");
                    }
                }

                Rejected(new InclusionProof(index, size, path), Flip(Leaf(index), 3), Root(size), "another leaf");
                Rejected(new InclusionProof(index, size, path), Leaf(index), Flip(Root(size), 200), "another root");
                Rejected(new InclusionProof(index, size, [.. path, Leaf(0)]), Leaf(index), Root(size), "an extra hash");
                if (path.Count > 0)
                {
                    Rejected(new InclusionProof(index, size, path.Take(path.Count - 1).ToList()), Leaf(index), Root(size), "a missing hash");
                    Rejected(new InclusionProof(index, size, path.Skip(1).ToList()), Leaf(index), Root(size), "a missing first hash");
                    Rejected(new InclusionProof(index, size, [path[0][..31], .. path.Skip(1)]), Leaf(index), Root(size), "a short hash");
                }

                foreach (var other in new[] { index - 1, index + 1 })
                {
                    if (other >= 0 && other < size && path.Count > 0)
                    {
                        Rejected(new InclusionProof(other, size, path), Leaf(index), Root(size), $"index {other}");
                    }
                }

                foreach (var otherSize in new[] { size - 1, size + 1 })
                {
                    if (otherSize >= 1)
                    {
                        Rejected(new InclusionProof(index, otherSize, path), Leaf(index), Root(otherSize), $"size {otherSize}, against that size's root");
                    }
                }

                Rejected(new InclusionProof(size, size, path), Leaf(index), Root(size), "an index past the end");
                Rejected(new InclusionProof(-1, size, path), Leaf(index), Root(size), "a negative index");
                Rejected(new InclusionProof(index, size, path), Leaf(index).AsSpan(0, 16).ToArray(), Root(size), "a short leaf hash");
            }
        }
    }

    [Fact]
    public void Consistency_proofs_verify_for_every_pair_up_to_64_and_a_dense_sample_up_to_1000()
    {
        var pairs = 0;
        for (long second = 1; second <= MaxSize; second++)
        {
            var firsts = second <= 64 ? Enumerable.Range(0, (int)second + 1).Select(i => (long)i) : Indices(second).Append(second).Append(0);
            foreach (var first in firsts)
            {
                var proof = new ConsistencyProof(first, second, Tree.ConsistencyPath(first, second));
                proof.Verify(Root(first), Root(second), out var failure).Should().BeTrue($"{first} → {second}: {failure}");
                pairs++;
            }
        }

        pairs.Should().BeGreaterThan(10_000);
    }

    [Fact]
    public void Every_mutated_consistency_proof_is_rejected()
    {
        foreach (var second in MutationSizes)
        {
            foreach (var first in Indices(second).Where(f => f > 0))
            {
                var path = Tree.ConsistencyPath(first, second);
                void Rejected(ConsistencyProof proof, byte[] firstRoot, byte[] secondRoot, string what)
                {
                    proof.Verify(firstRoot, secondRoot, out var failure).Should().BeFalse($"{what} ({first} → {second})");
                    failure.Should().NotBeNullOrEmpty();
                }

                for (var h = 0; h < path.Count; h++)
                {
                    foreach (var bit in new[] { 0, 128, 255 })
                    {
                        Rejected(new ConsistencyProof(first, second, Flip(path, h, bit)), Root(first), Root(second), $"bit {bit} of hash {h} flipped");
                    }
                }

                Rejected(new ConsistencyProof(first, second, path), Flip(Root(first), 9), Root(second), "another first root");
                Rejected(new ConsistencyProof(first, second, path), Root(first), Flip(Root(second), 9), "another second root");
                Rejected(new ConsistencyProof(first, second, [.. path, Leaf(0)]), Root(first), Root(second), "an extra hash");
                Rejected(new ConsistencyProof(first, second, [Leaf(0), .. path]), Root(first), Root(second), "an extra first hash");
                Rejected(new ConsistencyProof(first, second, path.Take(path.Count - 1).ToList()), Root(first), Root(second), "a missing hash");
                Rejected(new ConsistencyProof(first, second, path.Skip(1).ToList()), Root(first), Root(second), "a missing first hash");
                Rejected(new ConsistencyProof(first, second, [path[0][..31], .. path.Skip(1)]), Root(first), Root(second), "a short hash");
                Rejected(new ConsistencyProof(second, first, path), Root(second), Root(first), "swapped sizes");
                foreach (var otherFirst in new[] { first - 1, first + 1 })
                {
                    if (otherFirst >= 1 && otherFirst <= second)
                    {
                        Rejected(new ConsistencyProof(otherFirst, second, path), Root(otherFirst), Root(second), $"first size {otherFirst}");
                    }
                }

                foreach (var otherSecond in new[] { second - 1, second + 1 })
                {
                    if (otherSecond >= first)
                    {
                        Rejected(new ConsistencyProof(first, otherSecond, path), Root(first), Root(otherSecond), $"second size {otherSecond}");
                    }
                }
            }
        }
    }

    [Fact]
    public void Equal_sizes_and_the_empty_tree_need_empty_proofs()
    {
        new ConsistencyProof(5, 5, []).Verify(Root(5), Root(5), out _).Should().BeTrue();
        new ConsistencyProof(5, 5, []).Verify(Root(5), Root(6), out var failure).Should().BeFalse();
        failure.Should().Contain("same size");
        new ConsistencyProof(0, 9, []).Verify(Root(0), Root(9), out _).Should().BeTrue();
        new ConsistencyProof(5, 5, [Leaf(1)]).Verify(Root(5), Root(5), out _).Should().BeFalse();
        new ConsistencyProof(3, 9, []).Verify(Root(3), Root(9), out failure).Should().BeFalse();
        failure.Should().Be("the proof is empty");
    }

    [Fact]
    public void Proof_requests_beyond_the_tree_are_refused()
    {
        FluentActions.Invoking(() => Tree.InclusionPath(5, MaxSize + 2)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => Tree.InclusionPath(10, 10)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => Tree.ConsistencyPath(11, 10)).Should().Throw<ArgumentOutOfRangeException>();
    }

    private static byte[] Flip(byte[] hash, int bit)
    {
        var copy = hash.ToArray();
        copy[bit / 8] ^= (byte)(1 << (bit % 8));
        return copy;
    }

    private static List<ReadOnlyMemory<byte>> Flip(List<ReadOnlyMemory<byte>> path, int index, int bit)
    {
        var copy = path.ToList();
        copy[index] = Flip(path[index].ToArray(), bit);
        return copy;
    }
}
