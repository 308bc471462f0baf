using System.Numerics.Tensors;
using AiOrchestrator.Caching.Semantic;
using BenchmarkDotNet.Attributes;

namespace AiOrchestrator.Benchmarks;

/// <summary>
/// The semantic index at 50,000 entries of 384 dimensions in one partition: a lookup that hits (a near-duplicate of a
/// stored vector, threshold 0.9), one that misses, the worst case (threshold -1: every row could be the answer), an
/// add to the full index (which evicts), and for comparison the plain float scan (one exact dot product per row).
/// </summary>
[MemoryDiagnoser]
public class SemanticIndexBenchmarks
{
    private const int Entries = 50_000;
    private const int Dimensions = 384;
    private const string Partition = "org=acme|model=gpt-4o|opts=ab12";

    private SemanticIndex _index = null!;
    private float[] _nearDuplicate = null!;
    private float[] _unrelated = null!;
    private float[] _floats = null!;
    private float[][] _addVectors = null!;
    private string[] _addKeys = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        _index = new SemanticIndex(new SemanticIndexOptions { Dimensions = Dimensions, MaxEntries = Entries });
        _floats = new float[Entries * Dimensions];
        var vector = new float[Dimensions];
        for (var i = 0; i < Entries; i++)
        {
            Fill(random, vector);
            _index.Add(Partition, vector, "entry-" + i);
            SemanticVectors.Normalize(vector, _floats.AsSpan(i * Dimensions, Dimensions), "vector");
        }

        // Entry 31,337 with a little noise: similarity about 0.99.
        _nearDuplicate = _floats.AsSpan(31_337 * Dimensions, Dimensions).ToArray();
        for (var d = 0; d < Dimensions; d++)
        {
            _nearDuplicate[d] += (float)(random.NextDouble() - 0.5) * 0.01f;
        }

        _unrelated = new float[Dimensions];
        Fill(random, _unrelated);
        _addVectors = new float[1024][];
        for (var i = 0; i < _addVectors.Length; i++)
        {
            _addVectors[i] = new float[Dimensions];
            Fill(random, _addVectors[i]);
        }

        _addKeys = Enumerable.Range(0, 2 * Entries).Select(i => "added-" + i).ToArray();
    }

    [GlobalCleanup]
    public void Cleanup() => _index.Dispose();

    [Benchmark]
    public bool LookupHit() => _index.TryFindNearest(Partition, _nearDuplicate, 0.9f, out _);

    [Benchmark]
    public bool LookupMiss() => _index.TryFindNearest(Partition, _unrelated, 0.9f, out _);

    [Benchmark]
    public bool LookupAnyThreshold() => _index.TryFindNearest(Partition, _unrelated, -1f, out _);

    [Benchmark]
    public void AddEvicting()
    {
        var i = _next++;
        _index.Add(Partition, _addVectors[i & 1023], _addKeys[i % _addKeys.Length]);
    }

    [Benchmark]
    public float FloatScanOnly()
    {
        var best = float.MinValue;
        var floats = _floats;
        for (var row = 0; row < Entries; row++)
        {
            best = Math.Max(best, TensorPrimitives.Dot(new ReadOnlySpan<float>(floats, row * Dimensions, Dimensions), _unrelated));
        }

        return best;
    }

    private static void Fill(Random random, float[] vector)
    {
        for (var d = 0; d < vector.Length; d++)
        {
            vector[d] = (float)((random.NextDouble() * 2) - 1);
        }
    }
}
