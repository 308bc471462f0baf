using AiOrchestrator.Caching.Semantic;

namespace AiOrchestrator.Tests.Caching.Semantic;

public sealed class SemanticIndexSearchTests
{
    private const string P = "org=acme|model=gpt-4o|opts=ab12";

    [Theory]
    [InlineData(7, 500, -1f)]
    [InlineData(64, 2000, -1f)]
    [InlineData(50, 1500, 0.2f)]
    [InlineData(384, 1000, -1f)]
    [InlineData(384, 1000, 0.5f)]
    public void Nearest_matches_brute_force_on_random_vectors(int dimensions, int entries, float threshold)
    {
        var random = new Random(1234 + dimensions);
        using var index = new SemanticIndex(new SemanticIndexOptions { Dimensions = dimensions });
        var stored = new List<(string Key, float[] Vector)>();
        for (var i = 0; i < entries; i++)
        {
            // A third are near-duplicates of earlier entries, so the best candidates are close together.
            var vector = i > 10 && i % 3 == 0 ? TestVectors.Near(random, stored[random.Next(stored.Count)].Vector, 0.05f) : TestVectors.Random(random, dimensions);
            stored.Add(("k" + i, vector));
            index.Add(P, vector, "k" + i);
        }

        for (var q = 0; q < 200; q++)
        {
            var query = q % 2 == 0 ? TestVectors.Near(random, stored[random.Next(stored.Count)].Vector, 0.3f) : TestVectors.Random(random, dimensions);
            var ranked = stored.Select(s => (s.Key, Similarity: TestVectors.Cosine(query, s.Vector))).OrderByDescending(s => s.Similarity).ToList();
            var found = index.TryFindNearest(P, query, threshold, out var match);
            if (ranked[0].Similarity < threshold - 1e-5)
            {
                found.Should().BeFalse();
                continue;
            }

            if (ranked[0].Similarity < threshold + 1e-5)
            {
                continue; // at the boundary float and double may disagree
            }

            found.Should().BeTrue();
            match.Similarity.Should().BeApproximately((float)ranked[0].Similarity, 1e-4f);
            if (ranked[0].Similarity - ranked[1].Similarity > 1e-5)
            {
                match.EntryKey.Should().Be(ranked[0].Key);
            }
        }
    }

    [Fact]
    public void Threshold_is_inclusive_at_the_exact_similarity()
    {
        using var index = new SemanticIndex(new SemanticIndexOptions { Dimensions = 2 });
        index.Add(P, [1f, 0f], "x");
        index.TryFindNearest(P, [3f, 4f], -1f, out var match).Should().BeTrue();
        match.Similarity.Should().BeApproximately(0.6f, 1e-6f);

        index.TryFindNearest(P, [3f, 4f], match.Similarity, out var atThreshold).Should().BeTrue();
        atThreshold.Should().Be(match);
        index.TryFindNearest(P, [3f, 4f], MathF.BitIncrement(match.Similarity), out _).Should().BeFalse();
    }

    [Fact]
    public void Vectors_are_compared_by_direction_only()
    {
        using var index = new SemanticIndex(new SemanticIndexOptions { Dimensions = 3 });
        index.Add(P, [1e30f, 2e30f, 3e30f], "big");
        index.TryFindNearest(P, [1e-30f, 2e-30f, 3e-30f], 0.9999f, out var match).Should().BeTrue();
        match.EntryKey.Should().Be("big");
        match.Similarity.Should().BeApproximately(1f, 1e-5f);
    }

    [Fact]
    public void A_lookup_never_sees_another_partition()
    {
        var random = new Random(7);
        using var index = new SemanticIndex(new SemanticIndexOptions { Dimensions = 32 });
        var secret = TestVectors.Random(random, 32);
        index.Add("org=acme|model=gpt-4o|opts=1", secret, "acme-answer");
        index.Add("org=globex|model=gpt-4o|opts=1", TestVectors.Random(random, 32), "globex-answer");

        index.TryFindNearest("org=globex|model=gpt-4o|opts=1", TestVectors.Near(random, secret, 0.001f), -1f, out var match).Should().BeTrue();
        match.EntryKey.Should().Be("globex-answer");
        index.TryFindNearest("org=initech|model=gpt-4o|opts=1", secret, -1f, out _).Should().BeFalse();
        index.TryFindNearest("org=acme|model=gpt-4o|opts=2", secret, -1f, out _).Should().BeFalse();
        index.TryFindNearest("org=acme|model=gpt-4o|opts=1", secret, 0.999f, out match).Should().BeTrue();
        match.EntryKey.Should().Be("acme-answer");
    }

    [Fact]
    public void Adding_a_key_again_replaces_its_vector()
    {
        using var index = new SemanticIndex(new SemanticIndexOptions { Dimensions = 4 });
        index.Add(P, TestVectors.Axis(4, 0), "k");
        index.Add(P, TestVectors.Axis(4, 1), "k");

        index.Count.Should().Be(1);
        index.TryFindNearest(P, TestVectors.Axis(4, 0), 0.5f, out _).Should().BeFalse();
        index.TryFindNearest(P, TestVectors.Axis(4, 1), 0.5f, out var match).Should().BeTrue();
        match.EntryKey.Should().Be("k");
    }

    [Fact]
    public void The_same_key_in_two_partitions_is_two_entries()
    {
        using var index = new SemanticIndex(new SemanticIndexOptions { Dimensions = 4 });
        index.Add("a", TestVectors.Axis(4, 0), "k");
        index.Add("b", TestVectors.Axis(4, 1), "k");

        index.Count.Should().Be(2);
        index.TryFindNearest("a", TestVectors.Axis(4, 0), 0.9f, out _).Should().BeTrue();
        index.Remove("a", "k").Should().BeTrue();
        index.TryFindNearest("a", TestVectors.Axis(4, 0), -1f, out _).Should().BeFalse();
        index.TryFindNearest("b", TestVectors.Axis(4, 1), 0.9f, out _).Should().BeTrue();
    }

    [Fact]
    public void Remove_takes_the_key_out_of_every_partition_and_keeps_the_other_rows_findable()
    {
        using var index = new SemanticIndex(new SemanticIndexOptions { Dimensions = 8 });
        for (var i = 0; i < 8; i++)
        {
            index.Add("a", TestVectors.Axis(8, i), "k" + i);
        }

        index.Add("b", TestVectors.Axis(8, 0), "k0");

        index.Remove("k0").Should().Be(2);
        index.Remove("k0").Should().Be(0);
        index.Remove("k3").Should().Be(1);
        index.Count.Should().Be(6);
        index.TryFindNearest("b", TestVectors.Axis(8, 0), -1f, out _).Should().BeFalse();
        index.TryFindNearest("a", TestVectors.Axis(8, 0), 0.5f, out _).Should().BeFalse();
        index.TryFindNearest("a", TestVectors.Axis(8, 3), 0.5f, out _).Should().BeFalse();
        foreach (var i in new[] { 1, 2, 4, 5, 6, 7 })
        {
            index.TryFindNearest("a", TestVectors.Axis(8, i), 0.99f, out var match).Should().BeTrue();
            match.EntryKey.Should().Be("k" + i); // swap-remove moved rows; each still carries its own key
        }
    }

    [Fact]
    public void RemovePartitions_invalidates_by_scope_or_model()
    {
        using var index = new SemanticIndex(new SemanticIndexOptions { Dimensions = 4 });
        index.Add("org=acme|model=gpt-4o|opts=1", TestVectors.Axis(4, 0), "a1");
        index.Add("org=acme|model=gpt-4o|opts=1", TestVectors.Axis(4, 1), "a2");
        index.Add("org=acme|model=claude|opts=1", TestVectors.Axis(4, 0), "a3");
        index.Add("org=globex|model=gpt-4o|opts=1", TestVectors.Axis(4, 0), "g1");

        index.RemovePartitions(p => p.Contains("|model=gpt-4o|", StringComparison.Ordinal) && p.StartsWith("org=acme|", StringComparison.Ordinal)).Should().Be(2);
        index.Count.Should().Be(2);
        index.TryFindNearest("org=acme|model=gpt-4o|opts=1", TestVectors.Axis(4, 0), -1f, out _).Should().BeFalse();
        index.TryFindNearest("org=acme|model=claude|opts=1", TestVectors.Axis(4, 0), 0.9f, out _).Should().BeTrue();

        index.RemovePartitions(p => p.StartsWith("org=globex|", StringComparison.Ordinal)).Should().Be(1);
        index.RemovePartitions(_ => false).Should().Be(0);
        index.Count.Should().Be(1);

        // A partition emptied and used again starts afresh.
        index.Add("org=acme|model=gpt-4o|opts=1", TestVectors.Axis(4, 2), "a4");
        index.TryFindNearest("org=acme|model=gpt-4o|opts=1", TestVectors.Axis(4, 2), 0.9f, out var match).Should().BeTrue();
        match.EntryKey.Should().Be("a4");
    }

    [Fact]
    public void Clear_empties_the_index_and_it_can_be_used_again()
    {
        using var index = new SemanticIndex(new SemanticIndexOptions { Dimensions = 4 });
        index.Add("a", TestVectors.Axis(4, 0), "k");
        var full = index.ApproximateBytes;
        index.Clear();
        index.Count.Should().Be(0);
        index.ApproximateBytes.Should().BeLessThan(full);
        index.TryFindNearest("a", TestVectors.Axis(4, 0), -1f, out _).Should().BeFalse();
        index.Add("a", TestVectors.Axis(4, 0), "k");
        index.TryFindNearest("a", TestVectors.Axis(4, 0), 0.9f, out _).Should().BeTrue();
    }

    [Fact]
    public void ApproximateBytes_grows_with_the_entries()
    {
        using var index = new SemanticIndex(new SemanticIndexOptions { Dimensions = 384 });
        var empty = index.ApproximateBytes;
        var random = new Random(3);
        for (var i = 0; i < 1000; i++)
        {
            index.Add("p", TestVectors.Random(random, 384), "k" + i);
        }

        // At least the floats and the codes of 1,000 rows of 384.
        index.ApproximateBytes.Should().BeGreaterThan(empty + (1000L * 384 * 5));
    }
}
