using AiOrchestrator.Caching.Semantic;
using Microsoft.Extensions.Time.Testing;

namespace AiOrchestrator.Tests.Caching.Semantic;

public sealed class SemanticIndexPersistenceTests
{
    private const int D = 48;

    private static (SemanticIndex Index, List<(string Partition, string Key, float[] Vector)> Stored) Filled(int entries = 300, TimeProvider? time = null, SemanticIndexOptions? options = null)
    {
        var random = new Random(5);
        var index = new SemanticIndex(options ?? new SemanticIndexOptions { Dimensions = D }, time);
        var stored = new List<(string, string, float[])>();
        for (var i = 0; i < entries; i++)
        {
            var partition = "org=o" + (i % 4) + "|model=m|opts=é" + (i % 2);
            var vector = TestVectors.Random(random, D);
            index.Add(partition, vector, "key-" + i);
            stored.Add((partition, "key-" + i, vector));
        }

        return (index, stored);
    }

    private static byte[] Saved(SemanticIndex index)
    {
        using var stream = new MemoryStream();
        index.SaveTo(stream);
        return stream.ToArray();
    }

    [Fact]
    public void A_saved_index_loads_with_the_same_entries_answers_and_times()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero));
        var (index, stored) = Filled(time: time);
        using var owner = index;
        var bytes = Saved(index);

        using var loaded = new SemanticIndex(new SemanticIndexOptions { Dimensions = D, EntryLifetime = TimeSpan.FromHours(1) }, time);
        loaded.LoadFrom(new MemoryStream(bytes));
        loaded.Count.Should().Be(stored.Count);
        foreach (var (partition, key, vector) in stored)
        {
            loaded.TryFindNearest(partition, vector, 0.999f, out var match).Should().BeTrue();
            match.EntryKey.Should().Be(key);
        }

        // Creation times survived: an hour after they were made, the entries are expired.
        time.Advance(TimeSpan.FromHours(1));
        loaded.TryFindNearest(stored[0].Partition, stored[0].Vector, -1f, out _).Should().BeFalse();
        loaded.PurgeExpired().Should().Be(stored.Count);

        // Saving what was loaded (into an index without a lifetime) gives the same bytes back.
        using var kept = new SemanticIndex(new SemanticIndexOptions { Dimensions = D }, time);
        kept.LoadFrom(new MemoryStream(bytes));
        Saved(kept).Should().Equal(bytes);
    }

    [Fact]
    public void Loading_keeps_the_recency_order_so_a_smaller_index_keeps_the_most_recently_used()
    {
        using var index = new SemanticIndex(new SemanticIndexOptions { Dimensions = D });
        for (var i = 0; i < 5; i++)
        {
            index.Add("p", TestVectors.Axis(D, i), "k" + i);
        }

        index.TryFindNearest("p", TestVectors.Axis(D, 0), 0.99f, out _).Should().BeTrue(); // k0 is now the most recent

        using var small = new SemanticIndex(new SemanticIndexOptions { Dimensions = D, MaxEntries = 2 });
        small.LoadFrom(new MemoryStream(Saved(index)));
        small.Count.Should().Be(2);
        small.TryFindNearest("p", TestVectors.Axis(D, 0), 0.99f, out _).Should().BeTrue();
        small.TryFindNearest("p", TestVectors.Axis(D, 4), 0.99f, out _).Should().BeTrue();
        small.TryFindNearest("p", TestVectors.Axis(D, 3), 0.99f, out _).Should().BeFalse();
    }

    [Fact]
    public void An_empty_index_round_trips()
    {
        using var index = new SemanticIndex(new SemanticIndexOptions { Dimensions = D });
        using var loaded = new SemanticIndex(new SemanticIndexOptions { Dimensions = D });
        loaded.Add("p", TestVectors.Axis(D, 0), "k");
        loaded.LoadFrom(new MemoryStream(Saved(index)));
        loaded.Count.Should().Be(0);
    }

    [Fact]
    public void Every_flipped_byte_is_refused_and_the_index_is_left_as_it_was()
    {
        var (index, _) = Filled(entries: 20);
        using var owner = index;
        var bytes = Saved(index);
        using var target = new SemanticIndex(new SemanticIndexOptions { Dimensions = D });
        target.Add("mine", TestVectors.Axis(D, 0), "kept");

        // Every byte of a small file: header, partition table, keys, times, vectors, end mark and checksum.
        var small = Saved(Filled(entries: 3).Index);
        for (var i = 0; i < small.Length; i++)
        {
            var corrupt = (byte[])small.Clone();
            corrupt[i] ^= 0x20;
            var load = () => target.LoadFrom(new MemoryStream(corrupt));
            load.Should().Throw<InvalidDataException>($"byte {i} of {small.Length} was flipped");
        }

        foreach (var position in new[] { 5, 30, bytes.Length / 2, bytes.Length - 1 })
        {
            var corrupt = (byte[])bytes.Clone();
            corrupt[position] ^= 0x01;
            var load = () => target.LoadFrom(new MemoryStream(corrupt));
            load.Should().Throw<InvalidDataException>();
        }

        target.Count.Should().Be(1);
        target.TryFindNearest("mine", TestVectors.Axis(D, 0), 0.99f, out var match).Should().BeTrue();
        match.EntryKey.Should().Be("kept");
    }

    [Fact]
    public void A_truncated_file_is_refused_saying_so()
    {
        var (index, _) = Filled(entries: 10);
        using var owner = index;
        var bytes = Saved(index);
        using var target = new SemanticIndex(new SemanticIndexOptions { Dimensions = D });
        for (var length = 0; length < bytes.Length; length += length < 64 ? 1 : 97)
        {
            var load = () => target.LoadFrom(new MemoryStream(bytes, 0, length));
            load.Should().Throw<InvalidDataException>().WithMessage("*truncated*");
        }

        var lastByteMissing = () => target.LoadFrom(new MemoryStream(bytes, 0, bytes.Length - 1));
        lastByteMissing.Should().Throw<InvalidDataException>().WithMessage("*truncated*");
        target.Count.Should().Be(0);
    }

    [Fact]
    public void Trailing_bytes_and_foreign_files_are_refused()
    {
        var (index, _) = Filled(entries: 3);
        using var owner = index;
        var bytes = Saved(index);
        using var target = new SemanticIndex(new SemanticIndexOptions { Dimensions = D });

        var longer = () => target.LoadFrom(new MemoryStream([.. bytes, 0]));
        longer.Should().Throw<InvalidDataException>().WithMessage("*after its checksum*");
        var foreign = () => target.LoadFrom(new MemoryStream("{\"not\":\"an index\"}"u8.ToArray()));
        foreign.Should().Throw<InvalidDataException>().WithMessage("*not a semantic index file*");
    }

    [Fact]
    public void A_file_of_another_dimension_is_refused()
    {
        var (index, _) = Filled(entries: 3);
        using var owner = index;
        using var other = new SemanticIndex(new SemanticIndexOptions { Dimensions = D + 1 });
        var load = () => other.LoadFrom(new MemoryStream(Saved(index)));
        load.Should().Throw<InvalidDataException>().WithMessage($"*{D} dimensions*{D + 1}*");
    }
}
