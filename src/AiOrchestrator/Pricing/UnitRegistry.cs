using System.Collections.ObjectModel;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace AiOrchestrator.Pricing;

/// <summary>
/// The billable units a catalog's prices are keyed by, from the price feed's unit registry (shipped inside the
/// catalog). Immutable and thread-safe.
/// </summary>
public sealed class UnitRegistry
{
    private readonly Dictionary<string, PriceUnit> _byId;
    private readonly Dictionary<string, PriceUnit> _byPriceKey;

    internal UnitRegistry(IReadOnlyList<PriceUnit> units)
    {
        Units = new ReadOnlyCollection<PriceUnit>([.. units]);
        _byId = new Dictionary<string, PriceUnit>(StringComparer.Ordinal);
        _byPriceKey = new Dictionary<string, PriceUnit>(StringComparer.Ordinal);
        foreach (var unit in units)
        {
            if (!_byId.TryAdd(unit.Id, unit))
            {
                throw new InvalidDataException($"The unit registry lists unit '{unit.Id}' twice.");
            }

            if (!_byPriceKey.TryAdd(unit.PriceKey, unit))
            {
                throw new InvalidDataException($"The unit registry gives price key '{unit.PriceKey}' to both '{_byPriceKey[unit.PriceKey].Id}' and '{unit.Id}'.");
            }
        }
    }

    /// <summary>The units, in registry order.</summary>
    public IReadOnlyList<PriceUnit> Units { get; }

    /// <summary>Finds a unit by its id (usage key), such as <c>cache_read_tokens</c>.</summary>
    public bool TryFind(string id, [MaybeNullWhen(false)] out PriceUnit unit) => _byId.TryGetValue(id, out unit);

    /// <summary>Finds a unit by its price key, such as <c>cache_read_mtok</c>.</summary>
    public bool TryFindByPriceKey(string priceKey, [MaybeNullWhen(false)] out PriceUnit unit) => _byPriceKey.TryGetValue(priceKey, out unit);

    /// <summary>Reads the <c>units</c> array of a catalog file.</summary>
    internal static UnitRegistry Read(JsonElement units)
    {
        if (units.ValueKind != JsonValueKind.Array || units.GetArrayLength() == 0)
        {
            throw new InvalidDataException("The catalog's 'units' must be a non-empty array of units.");
        }

        var list = new List<PriceUnit>(units.GetArrayLength());
        foreach (var unit in units.EnumerateArray())
        {
            var id = CatalogJson.RequiredString(unit, "id", "a unit");
            var per = unit.TryGetProperty("per", out var p) && p.ValueKind == JsonValueKind.Number && p.TryGetInt64(out var n) && n > 0
                ? n
                : throw new InvalidDataException($"Unit '{id}' has no positive integer 'per'.");
            var dimensions = new List<KeyValuePair<string, string>>();
            if (unit.TryGetProperty("dimensions", out var dims) && dims.ValueKind == JsonValueKind.Object)
            {
                foreach (var d in dims.EnumerateObject())
                {
                    dimensions.Add(new(d.Name, d.Value.GetString() ?? throw new InvalidDataException($"Unit '{id}' has a non-text dimension '{d.Name}'.")));
                }
            }

            if (!dimensions.Exists(d => d.Key == "family"))
            {
                throw new InvalidDataException($"Unit '{id}' has no 'family' dimension.");
            }

            var priceKey = unit.TryGetProperty("priceKey", out var k) ? k.GetString() ?? id : id;
            list.Add(new PriceUnit(id, priceKey, per, dimensions));
        }

        return new UnitRegistry(list);
    }
}
