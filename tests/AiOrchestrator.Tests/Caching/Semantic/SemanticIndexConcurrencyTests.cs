using System.Collections.Concurrent;
using AiOrchestrator.Caching.Semantic;

namespace AiOrchestrator.Tests.Caching.Semantic;

public sealed class SemanticIndexConcurrencyTests
{
    [Fact]
    public void Concurrent_adds_lookups_and_removals_keep_the_index_consistent_and_within_its_caps()
    {
        const int Threads = 8;
        const int D = 24;
        const int MaxEntries = 300;
        const int PerPartition = 60;
        using var index = new SemanticIndex(new SemanticIndexOptions { Dimensions = D, MaxEntries = MaxEntries, MaxEntriesPerPartition = PerPartition });
        var errors = new ConcurrentQueue<Exception>();
        var wrongPartition = 0;
        var overCap = 0;
        using var barrier = new Barrier(Threads);
        var threads = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            try
            {
                var random = new Random(100 + t);
                barrier.SignalAndWait();
                for (var i = 0; i < 3000; i++)
                {
                    var partition = "org=" + random.Next(6);
                    var vector = TestVectors.Random(random, D);
                    switch (random.Next(10))
                    {
                        case < 4:
                            // The key names its partition, so a lookup can check it got an entry of its own.
                            index.Add(partition, vector, partition + "#" + random.Next(200));
                            break;
                        case < 9:
                            if (index.TryFindNearest(partition, vector, -1f, out var match) && !match.EntryKey.StartsWith(partition + "#", StringComparison.Ordinal))
                            {
                                Interlocked.Increment(ref wrongPartition);
                            }

                            break;
                        default:
                            if (random.Next(2) == 0)
                            {
                                index.Remove(partition + "#" + random.Next(200));
                            }
                            else
                            {
                                index.RemovePartitions(p => p == "org=" + random.Next(6) && random.Next(20) == 0);
                            }

                            break;
                    }

                    if (index.Count > MaxEntries)
                    {
                        Interlocked.Increment(ref overCap);
                    }
                }
            }
            catch (Exception e)
            {
                errors.Enqueue(e);
            }
        })).ToList();

        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        errors.Should().BeEmpty();
        wrongPartition.Should().Be(0);
        overCap.Should().Be(0);

        // The count agrees with what a save writes, and no partition is over its cap.
        using var stream = new MemoryStream();
        index.SaveTo(stream);
        stream.Position = 0;
        var contents = SemanticIndexFile.Read(stream, D);
        contents.Entries.Length.Should().Be(index.Count);
        contents.Entries.GroupBy(e => e.Partition).Should().OnlyContain(g => g.Count() <= PerPartition);
        contents.Entries.Should().OnlyContain(e => e.Key.StartsWith(contents.Partitions[e.Partition] + "#", StringComparison.Ordinal));
    }
}
