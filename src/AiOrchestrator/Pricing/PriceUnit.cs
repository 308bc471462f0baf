using System.Collections.ObjectModel;

namespace AiOrchestrator.Pricing;

/// <summary>
/// A billable unit of the price feed's unit registry, such as <c>input_tokens</c>, <c>cache_audio_read_tokens</c> or
/// <c>web_searches</c>: what it is (its dimensions), the key prices use for it, and how many counts one price covers.
/// </summary>
/// <remarks>
/// Dimensions define ancestry: a unit whose dimensions contain another's is its descendant (a cached audio read is
/// part of the input, of the cache reads and of the audio input). A price applies to the counts of its unit that no
/// more specific priced unit claims; counts of an unpriced unit fall to its nearest priced ancestor.
/// </remarks>
public sealed class PriceUnit
{
    private readonly KeyValuePair<string, string>[] _dimensions;

    internal PriceUnit(string id, string priceKey, long per, IEnumerable<KeyValuePair<string, string>> dimensions)
    {
        Id = id;
        PriceKey = priceKey;
        Per = per;
        _dimensions = [.. dimensions.OrderBy(d => d.Key, StringComparer.Ordinal)];
        Dimensions = new ReadOnlyDictionary<string, string>(_dimensions.ToDictionary(d => d.Key, d => d.Value, StringComparer.Ordinal));
        Family = Dimensions.GetValueOrDefault("family") ?? string.Empty;
        Direction = Dimensions.GetValueOrDefault("direction") switch
        {
            "input" => UnitDirection.Input,
            "output" => UnitDirection.Output,
            _ => UnitDirection.None,
        };
        Field = UsageUnits.FieldOf(id);
    }

    /// <summary>The unit's id, which is also its usage key (<c>cache_read_tokens</c>).</summary>
    public string Id { get; }

    /// <summary>The key prices use for the unit (<c>cache_read_mtok</c>).</summary>
    public string PriceKey { get; }

    /// <summary>How many counts of the unit one price covers (1,000,000 tokens; 1,000 searches).</summary>
    public long Per { get; }

    /// <summary>The unit's family (<c>tokens</c>, <c>tool_calls</c>, <c>requests</c>...).</summary>
    public string Family { get; }

    /// <summary>Whether the unit is input, output, or neither (searches and requests).</summary>
    public UnitDirection Direction { get; }

    /// <summary>What the unit is: <c>family</c>, <c>direction</c>, <c>modality</c>, <c>token_type</c>, <c>cache_ttl</c>...</summary>
    public IReadOnlyDictionary<string, string> Dimensions { get; }

    /// <summary>Whether a <see cref="TokenUsage"/> carries a count for this unit.</summary>
    public bool IsCarriedByUsage => Field != UsageField.None;

    internal UsageField Field { get; }

    internal int DimensionCount => _dimensions.Length;

    /// <summary>True when <paramref name="other"/> is this unit or more specific than it (its dimensions contain this one's).</summary>
    public bool IsAncestorOrSelfOf(PriceUnit other)
    {
        ArgumentNullException.ThrowIfNull(other);
        foreach (var (key, value) in _dimensions)
        {
            if (!other.Dimensions.TryGetValue(key, out var otherValue) || !string.Equals(value, otherValue, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True when both units can describe the same counts: same family, and equal values on the dimensions both have.</summary>
    internal bool IsCompatibleWith(PriceUnit other)
    {
        foreach (var (key, value) in _dimensions)
        {
            if (other.Dimensions.TryGetValue(key, out var otherValue) && !string.Equals(value, otherValue, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The unit id.</summary>
    public override string ToString() => Id;
}
