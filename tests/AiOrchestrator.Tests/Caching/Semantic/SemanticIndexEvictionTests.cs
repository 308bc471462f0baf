using AiOrchestrator.Caching.Semantic;
using Microsoft.Extensions.Time.Testing;

namespace AiOrchestrator.Tests.Caching.Semantic;

public sealed class SemanticIndexEvictionTests
{
    private const int D = 16;

    private static bool Has(SemanticIndex index, string partition, int axis, out string key)
    {
        var found = index.TryFindNearest(partition, TestVectors.Axis(D, axis), 0.99f, out var match);
        key = match.EntryKey;
        return found;
    }

    [Fact]
    public void A_full_index_evicts_the_least_recently_used_entry_where_a_hit_counts_as_use()
    {
        using var index = new SemanticIndex(new SemanticIndexOptions { Dimensions = D, MaxEntries = 3 });
        index.Add("p", TestVectors.Axis(D, 1), "k1");
        index.Add("p", TestVectors.Axis(D, 2), "k2");
        index.Add("p", TestVectors.Axis(D, 3), "k3");
        Has(index, "p", 1, out _).Should().BeTrue(); // order of use now: k2, k3, k1

        index.Add("p", TestVectors.Axis(D, 4), "k4");
        index.Count.Should().Be(3);
        index.Evictions.Should().Be(1);
        Has(index, "p", 2, out _).Should().BeFalse();

        index.Add("q", TestVectors.Axis(D, 5), "k5"); // across partitions: k3 is now the oldest
        Has(index, "p", 3, out _).Should().BeFalse();
        Has(index, "p", 1, out _).Should().BeTrue();
        Has(index, "p", 4, out _).Should().BeTrue();
        Has(index, "q", 5, out _).Should().BeTrue();
    }

    [Fact]
    public void Replacing_an_entry_counts_as_use_and_does_not_evict()
    {
        using var index = new SemanticIndex(new SemanticIndexOptions { Dimensions = D, MaxEntries = 2 });
        index.Add("p", TestVectors.Axis(D, 1), "k1");
        index.Add("p", TestVectors.Axis(D, 2), "k2");
        index.Add("p", TestVectors.Axis(D, 3), "k1"); // replaces, no eviction; order: k2, k1
        index.Evictions.Should().Be(0);

        index.Add("p", TestVectors.Axis(D, 4), "k4");
        Has(index, "p", 2, out _).Should().BeFalse();
        Has(index, "p", 3, out var key).Should().BeTrue();
        key.Should().Be("k1");
    }

    [Fact]
    public void A_miss_does_not_count_as_use()
    {
        using var index = new SemanticIndex(new SemanticIndexOptions { Dimensions = D, MaxEntries = 2 });
        index.Add("p", TestVectors.Axis(D, 1), "k1");
        index.Add("p", TestVectors.Axis(D, 2), "k2");
        index.TryFindNearest("p", TestVectors.Axis(D, 1), 1.5f, out _).Should().BeFalse(); // above any similarity
        index.Add("p", TestVectors.Axis(D, 3), "k3");
        Has(index, "p", 1, out _).Should().BeFalse();
    }

    [Fact]
    public void A_full_partition_evicts_its_own_least_recently_used_entry_and_leaves_the_others()
    {
        using var index = new SemanticIndex(new SemanticIndexOptions { Dimensions = D, MaxEntries = 10, MaxEntriesPerPartition = 2 });
        index.Add("quiet", TestVectors.Axis(D, 0), "q0");
        for (var i = 1; i <= 8; i++)
        {
            index.Add("busy", TestVectors.Axis(D, i), "b" + i);
        }

        index.Count.Should().Be(3);
        Has(index, "quiet", 0, out _).Should().BeTrue();
        Has(index, "busy", 7, out _).Should().BeTrue();
        Has(index, "busy", 8, out _).Should().BeTrue();
        Has(index, "busy", 6, out _).Should().BeFalse();
    }

    [Fact]
    public void Caps_hold_across_many_partitions()
    {
        var random = new Random(11);
        using var index = new SemanticIndex(new SemanticIndexOptions { Dimensions = D, MaxEntries = 50, MaxEntriesPerPartition = 7 });
        var perPartition = new Dictionary<string, HashSet<string>>();
        for (var i = 0; i < 2000; i++)
        {
            var partition = "p" + random.Next(12);
            index.Add(partition, TestVectors.Random(random, D), "k" + random.Next(40));
            index.Count.Should().BeLessThanOrEqualTo(50);
        }

        index.Count.Should().Be(50);
        for (var p = 0; p < 12; p++)
        {
            var keys = new HashSet<string>();
            // Every entry of a partition is the nearest to its own vector; at most 7 distinct keys can be found.
            for (var i = 0; i < 200; i++)
            {
                if (index.TryFindNearest("p" + p, TestVectors.Random(random, D), -1f, out var match))
                {
                    keys.Add(match.EntryKey);
                }
            }

            keys.Count.Should().BeLessThanOrEqualTo(7);
        }
    }

    [Fact]
    public void Expired_entries_are_never_returned_and_are_purged_lazily()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
        using var index = new SemanticIndex(new SemanticIndexOptions { Dimensions = D, EntryLifetime = TimeSpan.FromMinutes(10) }, time);
        index.Add("p", TestVectors.Axis(D, 1), "old");
        time.Advance(TimeSpan.FromMinutes(5));
        index.Add("p", TestVectors.Axis(D, 2), "young");
        index.Add("p", TestVectors.Near(new Random(1), TestVectors.Axis(D, 1), 0.1f), "old-neighbour");

        time.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromTicks(1));
        Has(index, "p", 1, out var key).Should().BeTrue();
        key.Should().Be("old");

        time.Advance(TimeSpan.FromTicks(1)); // exactly ten minutes: expired
        Has(index, "p", 1, out _).Should().BeFalse();
        index.TryFindNearest("p", TestVectors.Axis(D, 1), 0.5f, out var match).Should().BeTrue();
        match.EntryKey.Should().Be("old-neighbour"); // the expired nearest is passed over for the live one
        index.Count.Should().Be(3); // not purged by a lookup

        index.PurgeExpired().Should().Be(1);
        index.Count.Should().Be(2);

        time.Advance(TimeSpan.FromMinutes(4));
        index.Add("p", TestVectors.Axis(D, 2), "young"); // a replacement starts a new lifetime
        time.Advance(TimeSpan.FromMinutes(2));
        index.Add("p", TestVectors.Axis(D, 3), "new"); // an add purges
        index.Count.Should().Be(2);
        Has(index, "p", 2, out _).Should().BeTrue();
    }
}
