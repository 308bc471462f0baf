using System.Text.Json;
using System.Text.Json.Serialization;

namespace SemanticCacheEvaluation;

/// <summary>Two texts compared by the cache: the stored one and the new one.</summary>
/// <param name="Stored">The text already in the cache.</param>
/// <param name="Incoming">The new text looked up.</param>
/// <param name="Kind">Positive, or which kind of negative.</param>
internal sealed record Pair(string Stored, string Incoming, PairKind Kind);

internal enum PairKind
{
    Paraphrase,
    Unrelated,
    NumberChanged,
    NegationFlipped,
    EntitySwapped,
    WordChanged,
}

internal sealed record ParaphrasePair(
    [property: JsonPropertyName("origin")] string Origin,
    [property: JsonPropertyName("similar")] string Similar);

internal static class PairsFile
{
    public const string RelativePath = "paraphrase/gptcache-paraphrase-pairs.json";

    public static List<ParaphrasePair> Load(string dataFolder)
    {
        var path = Path.Combine(dataFolder, RelativePath);
        using var stream = File.OpenRead(path);
        var pairs = JsonSerializer.Deserialize<List<ParaphrasePair>>(stream)
            ?? throw new InvalidDataException($"{path} holds no pairs.");
        return pairs.Where(p => !string.IsNullOrWhiteSpace(p.Origin) && !string.IsNullOrWhiteSpace(p.Similar)).ToList();
    }

    /// <summary>Each origin against the paraphrase of another, randomly chosen pair (a fixed seed) whose texts
    /// differ from this pair's.</summary>
    public static List<Pair> Unrelated(IReadOnlyList<ParaphrasePair> pairs, int seed)
    {
        var random = new Random(seed);
        var result = new List<Pair>(pairs.Count);
        foreach (var pair in pairs)
        {
            ParaphrasePair other;
            do
            {
                other = pairs[random.Next(pairs.Count)];
            }
            while (other.Origin == pair.Origin || other.Similar == pair.Similar);

            result.Add(new Pair(pair.Origin, other.Similar, PairKind.Unrelated));
        }

        return result;
    }
}
