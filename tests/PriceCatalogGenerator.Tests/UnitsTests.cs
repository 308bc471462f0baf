using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace PriceCatalogGenerator.Tests;

/// <summary>The catalog's units section is the registry (units.yml), entry for entry.</summary>
public class UnitsTests
{
    private const string EmptyFeed = "[]";

    private static readonly Lazy<List<JsonElement>> ShippedUnits = new(() =>
        JsonDocument.Parse(Repo.GenerateShipped().Json).RootElement.GetProperty("units").EnumerateArray().ToList());

    [Fact]
    public void Every_entry_of_the_registry_is_a_unit_in_file_order()
    {
        var yaml = Encoding.UTF8.GetString(Repo.Units);
        var keys = Regex.Matches(yaml, "^([a-z0-9_]+):", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToList();

        keys.Should().HaveCount(59);
        ShippedUnits.Value.Should().HaveCount(keys.Count);
        ShippedUnits.Value.Select(u => u.GetProperty("id").GetString()).Should().Equal(keys);
        foreach (var unit in ShippedUnits.Value)
        {
            unit.EnumerateObject().Select(p => p.Name).Should().Equal("id", "priceKey", "per", "dimensions");
        }
    }

    [Theory]
    [InlineData("input_tokens", "input_mtok", "1000000")]
    [InlineData("cache_audio_read_tokens", "cache_audio_read_mtok", "1000000")]
    [InlineData("audio_seconds", "audio_hours", "3600")]
    [InlineData("input_pixels", "input_gpixels", "1000000000")]
    [InlineData("web_searches", "web_searches_kcount", "1000")]
    [InlineData("requests", "requests_kcount", "1000")]
    public void Price_keys_and_per_values_come_from_the_registry(string id, string priceKey, string per)
    {
        var unit = Unit(id);
        unit.GetProperty("priceKey").GetString().Should().Be(priceKey);
        unit.GetProperty("per").GetRawText().Should().Be(per);
    }

    [Fact]
    public void Dimensions_are_the_registry_map_with_keys_sorted()
    {
        Dimensions(Unit("cache_audio_read_tokens")).Should().Equal("direction=input", "family=tokens", "modality=audio", "token_type=cache_read");
        Dimensions(Unit("cache_text_write_1h_tokens")).Should().Equal(
            "cache_ttl=1h", "direction=input", "family=tokens", "modality=text", "token_type=cache_write");
        Dimensions(Unit("audio_seconds")).Should().Equal("family=durations", "modality=audio");
        Dimensions(Unit("rerank_searches")).Should().Equal("family=rerank");
    }

    [Fact]
    public void The_catalog_has_no_dimension_requirements()
    {
        Repo.GenerateShipped().Json.Should().NotContain("dimension_requirements").And.NotContain("requirements");
    }

    [Fact]
    public void The_price_key_defaults_to_the_usage_key()
    {
        var catalog = Repo.Generate(EmptyFeed, """
            # a comment
            widgets:
              per: 1_000
              dimensions: { family: widgets }
            """);

        var unit = JsonDocument.Parse(catalog.Json).RootElement.GetProperty("units")[0];
        unit.GetProperty("id").GetString().Should().Be("widgets");
        unit.GetProperty("priceKey").GetString().Should().Be("widgets");
        unit.GetProperty("per").GetInt64().Should().Be(1000);
    }

    [Theory]
    [InlineData("a:\n  per: 1000\n  price_key: a_k\n  dimensions: { family: f }\n  colour: red\n", "unknown field 'colour'")]
    [InlineData("a:\n  per: 1,000\n  dimensions: { family: f }\n", "per '1,000'")]
    [InlineData("a:\n  per: -5\n  dimensions: { family: f }\n", "per '-5'")]
    [InlineData("a:\n  per: 0\n  dimensions: { family: f }\n", "per '0'")]
    [InlineData("a:\n  dimensions: { family: f }\n", "unit 'a' has no 'per'")]
    [InlineData("a:\n  per: 10\n", "unit 'a' has no 'dimensions'")]
    [InlineData("a:\n  per: 10\n  dimensions: { direction: input }\n", "must include 'family'")]
    [InlineData("a:\n  per: 10\n  dimensions: [family, f]\n", "dimensions must be a mapping")]
    [InlineData("a:\n  per: 10\n  price_key: a_k\n  dimensions: { family: f }\nb:\n  per: 10\n  price_key: a\n  dimensions: { family: f, x: y }\n", "also the price key of unit 'b'")]
    [InlineData("a:\n  per: 10\n  price_key: k\n  dimensions: { family: f }\nb:\n  per: 10\n  price_key: k\n  dimensions: { family: f, x: y }\n", "price key 'k' is used by more than one unit")]
    [InlineData("a:\n  per: 10\n  dimensions: { family: f }\nb:\n  per: 10\n  dimensions: { family: f }\n", "have the same dimensions")]
    [InlineData("a:\n  per: 10\n  dimensions: { family: f }\nb:\n  per: 100\n  dimensions: { family: f, x: y }\n", "family 'f' mixes different 'per' values")]
    [InlineData("a:\n  per: 10\n  dimensions: { family: f }\na:\n  per: 10\n  dimensions: { family: g }\n", "Duplicate key a")]
    [InlineData("- a\n- b\n", "must be a mapping")]
    [InlineData("a:\n  per: \"10\"\n  dimensions: { family: f }\n", "plain scalar")]
    [InlineData("a: [\n", "not valid YAML")]
    public void A_malformed_registry_fails_naming_the_problem(string yaml, string expected)
    {
        var act = () => Repo.Generate(EmptyFeed, yaml);
        act.Should().Throw<CatalogValidationException>().Which.Message.Should().Contain("units.yml").And.Contain(expected);
    }

    private static JsonElement Unit(string id) => ShippedUnits.Value.Single(u => u.GetProperty("id").GetString() == id);

    private static List<string> Dimensions(JsonElement unit) =>
        unit.GetProperty("dimensions").EnumerateObject().Select(p => $"{p.Name}={p.Value.GetString()}").ToList();
}
