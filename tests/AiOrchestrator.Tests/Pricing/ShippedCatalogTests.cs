using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using AiOrchestrator.Pricing;

namespace AiOrchestrator.Tests.Pricing;

public class ShippedCatalogTests
{
    [Fact]
    public void The_catalog_is_embedded_in_the_assembly_and_not_shipped_as_a_loose_file()
    {
        var assembly = typeof(PriceCatalog).Assembly;
        assembly.GetManifestResourceNames().Should().Contain(PriceCatalog.ResourceName);

        var folder = Path.GetDirectoryName(assembly.Location)!;
        Directory.GetFiles(folder, "price-catalog.json", SearchOption.AllDirectories).Should().BeEmpty();
    }

    [Fact]
    public void The_default_catalog_loads_from_the_assembly_and_prices_well_known_models()
    {
        var at = DateTimeOffset.Parse("2026-06-01T00:00:00Z", CultureInfo.InvariantCulture);
        PriceCatalog.Default.FindPrice("openai", "gpt-4o", at).InputPerMillion.Should().Be(2.5m);
        PriceCatalog.Default.Should().BeSameAs(PriceCatalog.Default);
    }

    [Fact]
    public void The_source_commit_is_recorded()
    {
        PriceCatalog.Default.SourceCommit.Should().MatchRegex("^[0-9a-f]{40}$");
        PriceCatalog.Default.SourceDate.Should().NotBeNull();

        using var stream = typeof(PriceCatalog).Assembly.GetManifestResourceStream(PriceCatalog.ResourceName)!;
        using var doc = JsonDocument.Parse(stream);
        var source = doc.RootElement.GetProperty("source");
        source.GetProperty("commit").GetString().Should().Be(PriceCatalog.Default.SourceCommit);
        source.GetProperty("name").GetString().Should().Be("genai-prices v2");
        PriceCatalog.Default.SourceDate.Should().Be(new DateOnly(2026, 8, 21));
    }

    [Fact]
    public void Claude_models_carry_a_one_hour_cache_write_price_of_twice_input()
    {
        var at = DateTimeOffset.Parse("2026-06-01T00:00:00Z", CultureInfo.InvariantCulture);
        foreach (var model in new[] { "claude-sonnet-4-5", "claude-opus-4-1", "claude-3-5-haiku-latest" })
        {
            var price = PriceCatalog.Default.FindPrice("anthropic", model, at);
            price.Find("cache_write_1h_tokens")!.Price.Should().Be(2 * price.InputPerMillion, model);
        }
    }

    [Fact]
    public void Every_regex_rule_in_the_shipped_catalog_compiles()
    {
        // Loading compiles every rule; force a fresh load of the embedded data.
        using var stream = typeof(PriceCatalog).Assembly.GetManifestResourceStream(PriceCatalog.ResourceName)!;
        var catalog = PriceCatalog.Load(stream);
        catalog.SourceCommit.Should().Be(PriceCatalog.Default.SourceCommit);
        Regex.IsMatch(catalog.SourceCommit, "^[0-9a-f]{40}$").Should().BeTrue();
    }
}
