using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace PriceCatalogGenerator;

/// <summary>One billable unit of the registry (units.yml).</summary>
/// <param name="Id">The usage key, e.g. <c>cache_audio_read_tokens</c>.</param>
/// <param name="PriceKey">The key prices use, e.g. <c>cache_audio_read_mtok</c> (the id when the registry gives none).</param>
/// <param name="Per">How many usage counts one price covers, e.g. 1000000.</param>
/// <param name="Dimensions">What the unit is, keys sorted ordinally; always holds <c>family</c>.</param>
internal sealed record Unit(string Id, string PriceKey, long Per, IReadOnlyList<KeyValuePair<string, string>> Dimensions)
{
    public string Family => Dimensions.Single(d => d.Key == "family").Value;

    /// <summary>The dimensions as one comparable text, e.g. <c>direction=input;family=tokens</c>.</summary>
    public string DimensionKey => CanonicalKey(Dimensions);

    public static string CanonicalKey(IEnumerable<KeyValuePair<string, string>> dimensions) =>
        string.Join(";", dimensions.OrderBy(d => d.Key, StringComparer.Ordinal).Select(d => d.Key + "=" + d.Value));
}

/// <summary>
/// The genai-prices unit registry, read strictly: every entry must have <c>per</c> and <c>dimensions</c> (with a
/// <c>family</c>), may have <c>price_key</c> and <c>dimension_requirements</c> (which the catalog ignores), and
/// nothing else. Anything unexpected fails with a message naming the unit.
/// </summary>
internal sealed partial class UnitRegistry
{
    private static readonly HashSet<string> KnownUnitKeys = ["per", "price_key", "dimensions", "dimension_requirements"];

    private readonly Dictionary<string, Unit> _byPriceKey;
    private readonly Dictionary<string, Unit> _byDimensions;

    private UnitRegistry(IReadOnlyList<Unit> units)
    {
        Units = units;
        _byPriceKey = units.ToDictionary(u => u.PriceKey, StringComparer.Ordinal);
        _byDimensions = units.ToDictionary(u => u.DimensionKey, StringComparer.Ordinal);
    }

    /// <summary>Every unit, in file order.</summary>
    public IReadOnlyList<Unit> Units { get; }

    public bool TryGetByPriceKey(string priceKey, out Unit unit) => _byPriceKey.TryGetValue(priceKey, out unit!);

    public bool TryGetByDimensions(string dimensionKey, out Unit unit) => _byDimensions.TryGetValue(dimensionKey, out unit!);

    public static UnitRegistry Parse(string yaml)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw Fail($"is not valid YAML ({e.Start}): {e.Message}");
        }

        if (stream.Documents.Count != 1)
        {
            throw Fail($"must hold exactly one YAML document; found {stream.Documents.Count}.");
        }

        if (stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw Fail("must be a mapping from usage key to unit.");
        }

        var units = new List<Unit>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (keyNode, valueNode) in root.Children)
        {
            var id = Scalar(keyNode, "a usage key");
            if (!IdPattern().IsMatch(id))
            {
                throw Fail($"unit '{id}': the usage key must be lower_snake_case.");
            }

            if (!seen.Add(id))
            {
                throw Fail($"unit '{id}' is defined twice.");
            }

            if (valueNode is not YamlMappingNode entry)
            {
                throw Fail($"unit '{id}' must be a mapping with per, price_key and dimensions.");
            }

            string? perText = null;
            string? priceKey = null;
            List<KeyValuePair<string, string>>? dimensions = null;
            foreach (var (fieldNode, fieldValue) in entry.Children)
            {
                var field = Scalar(fieldNode, $"a field name of unit '{id}'");
                if (!KnownUnitKeys.Contains(field))
                {
                    throw Fail($"unit '{id}' has an unknown field '{field}'; the generator knows {string.Join(", ", KnownUnitKeys.Order(StringComparer.Ordinal))}.");
                }

                switch (field)
                {
                    case "per":
                        perText = Scalar(fieldValue, $"unit '{id}' per");
                        break;
                    case "price_key":
                        priceKey = Scalar(fieldValue, $"unit '{id}' price_key");
                        if (!IdPattern().IsMatch(priceKey))
                        {
                            throw Fail($"unit '{id}': price_key '{priceKey}' must be lower_snake_case.");
                        }

                        break;
                    case "dimensions":
                        dimensions = ReadDimensions(id, fieldValue);
                        break;
                    default:
                        // dimension_requirements: conditional validity, not part of the catalog.
                        if (fieldValue is not YamlMappingNode)
                        {
                            throw Fail($"unit '{id}': dimension_requirements must be a mapping.");
                        }

                        break;
                }
            }

            if (perText is null)
            {
                throw Fail($"unit '{id}' has no 'per'.");
            }

            if (!PerPattern().IsMatch(perText)
                || !long.TryParse(perText.Replace("_", "", StringComparison.Ordinal), NumberStyles.None, CultureInfo.InvariantCulture, out var per)
                || per <= 0)
            {
                throw Fail($"unit '{id}': per '{perText}' must be a positive whole number (digits, optionally grouped with '_').");
            }

            if (dimensions is null)
            {
                throw Fail($"unit '{id}' has no 'dimensions'.");
            }

            units.Add(new Unit(id, priceKey ?? id, per, dimensions));
        }

        if (units.Count == 0)
        {
            throw Fail("defines no units.");
        }

        CheckRegistry(units);
        return new UnitRegistry(units);
    }

    private static void CheckRegistry(List<Unit> units)
    {
        foreach (var group in units.GroupBy(u => u.PriceKey, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            throw Fail($"price key '{group.Key}' is used by more than one unit ({string.Join(", ", group.Select(u => u.Id))}).");
        }

        foreach (var unit in units)
        {
            var clash = units.FirstOrDefault(u => u != unit && u.PriceKey == unit.Id);
            if (clash is not null)
            {
                throw Fail($"usage key '{unit.Id}' is also the price key of unit '{clash.Id}'.");
            }
        }

        foreach (var group in units.GroupBy(u => u.DimensionKey, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            throw Fail($"units {string.Join(", ", group.Select(u => u.Id))} have the same dimensions ({group.Key}).");
        }

        foreach (var family in units.GroupBy(u => u.Family, StringComparer.Ordinal))
        {
            if (family.Select(u => u.Per).Distinct().Count() > 1)
            {
                throw Fail($"family '{family.Key}' mixes different 'per' values ({string.Join(", ", family.Select(u => $"{u.Id}={u.Per}"))}); every unit of a family must share one.");
            }
        }
    }

    private static List<KeyValuePair<string, string>> ReadDimensions(string id, YamlNode node)
    {
        if (node is not YamlMappingNode map)
        {
            throw Fail($"unit '{id}': dimensions must be a mapping.");
        }

        var dimensions = new List<KeyValuePair<string, string>>();
        foreach (var (keyNode, valueNode) in map.Children)
        {
            var key = Scalar(keyNode, $"a dimension name of unit '{id}'");
            var value = Scalar(valueNode, $"dimension '{key}' of unit '{id}'");
            if (!IdPattern().IsMatch(key) || !DimensionValuePattern().IsMatch(value))
            {
                throw Fail($"unit '{id}': dimension '{key}: {value}' must be lower_snake_case name and value.");
            }

            dimensions.Add(new(key, value));
        }

        if (!dimensions.Any(d => d.Key == "family"))
        {
            throw Fail($"unit '{id}': dimensions must include 'family'.");
        }

        dimensions.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        return dimensions;
    }

    private static string Scalar(YamlNode node, string what)
    {
        if (node is not YamlScalarNode scalar || scalar.Value is null)
        {
            throw Fail($"{what} must be a plain scalar (at {node.Start}).");
        }

        if (scalar.Style is not ScalarStyle.Plain || !scalar.Tag.IsEmpty || !node.Anchor.IsEmpty)
        {
            throw Fail($"{what} '{scalar.Value}' must be a plain scalar without quotes, tags or anchors (at {node.Start}).");
        }

        return scalar.Value;
    }

    private static CatalogValidationException Fail(string message) => new([$"units.yml: {message}"]);

    [GeneratedRegex("^[a-z][a-z0-9_]*$")]
    private static partial Regex IdPattern();

    [GeneratedRegex("^[a-z0-9][a-z0-9_]*$")]
    private static partial Regex DimensionValuePattern();

    [GeneratedRegex("^[0-9]+(_[0-9]+)*$")]
    private static partial Regex PerPattern();
}
