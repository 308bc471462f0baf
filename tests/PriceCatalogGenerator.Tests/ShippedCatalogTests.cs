using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace PriceCatalogGenerator.Tests;

/// <summary>The committed catalog is exactly what the generator makes of the committed feed, and keeps its facts exactly.</summary>
public class ShippedCatalogTests
{
    private static readonly Lazy<GeneratedCatalog> Shipped = new(Repo.GenerateShipped);

    private static JsonElement Root => JsonDocument.Parse(Shipped.Value.Json).RootElement;

    [Fact]
    public void The_regenerated_catalog_equals_the_committed_one_byte_for_byte()
    {
        var committed = File.ReadAllBytes(Repo.CatalogPath);
        var generated = Encoding.UTF8.GetBytes(Shipped.Value.Json);

        // On failure: run `dotnet run --project tools/PriceCatalogGenerator` and commit the result.
        generated.SequenceEqual(committed).Should().BeTrue(
            "src/AiOrchestrator/Pricing/Data/price-catalog.json must be regenerated from tools/PriceCatalogGenerator/Feed");
    }

    [Fact]
    public void Two_runs_give_the_same_text()
    {
        Repo.GenerateShipped().Json.Should().Be(Repo.GenerateShipped().Json);
    }

    [Fact]
    public void The_text_is_indented_with_two_spaces_with_LF_line_endings_and_a_trailing_newline()
    {
        var json = Shipped.Value.Json;
        json.Should().StartWith("{\n  \"format\": 2,\n  \"source\": {\n    \"name\": \"genai-prices v2\",");
        json.Should().NotContain("\r");
        json.Should().EndWith("}\n");
        json.Should().NotEndWith("\n\n");
        json.Should().NotContain("\t");
    }

    [Fact]
    public void The_header_records_format_source_commit_date_and_currency()
    {
        var root = Root;
        root.EnumerateObject().Select(p => p.Name).Should().Equal("format", "source", "currency", "units", "providers");
        root.GetProperty("format").GetInt32().Should().Be(2);
        var source = root.GetProperty("source");
        source.EnumerateObject().Select(p => p.Name).Should().Equal("name", "commit", "date");
        source.GetProperty("name").GetString().Should().Be("genai-prices v2");
        source.GetProperty("commit").GetString().Should().Be(Repo.SourceCommit[..40]).And.MatchRegex("^[0-9a-f]{40}$");
        source.GetProperty("date").GetString().Should().Be("2026-08-21");
        root.GetProperty("currency").GetString().Should().Be("USD");
    }

    [Fact]
    public void Providers_and_models_keep_only_what_pricing_uses_in_the_fixed_order_and_in_feed_order()
    {
        using var feed = JsonDocument.Parse(Repo.Feed);
        var feedProviders = feed.RootElement.EnumerateArray().ToList();
        var providers = Root.GetProperty("providers").EnumerateArray().ToList();

        providers.Select(p => p.GetProperty("id").GetString())
            .Should().Equal(feedProviders.Select(p => p.GetProperty("id").GetString()));

        string[] providerOrder = ["id", "api_pattern", "provider_match", "model_match", "fallback_model_providers", "models"];
        for (var i = 0; i < providers.Count; i++)
        {
            var names = providers[i].EnumerateObject().Select(p => p.Name).ToList();
            names.Should().Equal(providerOrder.Where(k => feedProviders[i].TryGetProperty(k, out _)));
            providers[i].GetProperty("models").EnumerateArray().Select(m => m.GetProperty("id").GetString())
                .Should().Equal(feedProviders[i].GetProperty("models").EnumerateArray().Select(m => m.GetProperty("id").GetString()));
            foreach (var model in providers[i].GetProperty("models").EnumerateArray())
            {
                model.EnumerateObject().Select(p => p.Name).Should().Equal("id", "match", "prices");
            }
        }

        Shipped.Value.Json.Should().NotContain("\"extractors\"").And.NotContain("\"pricing_urls\"").And.NotContain("\"context_window\"");
        Provider("azure").GetProperty("fallback_model_providers").EnumerateArray().Select(e => e.GetString()).Should().Equal("openai", "anthropic");
    }

    [Fact]
    public void The_summary_counts_providers_models_units_and_price_entries()
    {
        var summary = Shipped.Value.Summary;
        using var feed = JsonDocument.Parse(Repo.Feed);
        summary.Providers.Should().Be(feed.RootElement.GetArrayLength());
        summary.Models.Should().Be(feed.RootElement.EnumerateArray().Sum(p => p.GetProperty("models").GetArrayLength()));
        summary.Units.Should().Be(59);
        summary.PriceEntries.Should().BePositive();
        summary.UnpricedModels.Should().BePositive("the feed keeps free and retired models with an empty price set");
        summary.ToString().Should().Contain($"{summary.Providers} providers").And.Contain($"{summary.PriceEntries} price entries");
    }

    [Fact]
    public void Deepseek_chat_keeps_its_prices_and_time_of_day_window_as_written_in_the_feed()
    {
        var prices = Model("deepseek", "deepseek-chat").GetProperty("prices");
        prices.GetArrayLength().Should().Be(2);
        prices[0].TryGetProperty("constraint", out _).Should().BeFalse();
        prices[0].GetProperty("prices").GetProperty("input_mtok").GetRawText().Should().Be("0.135");
        prices[0].GetProperty("prices").GetProperty("cache_read_mtok").GetRawText().Should().Be("0.035");

        var window = prices[1].GetProperty("constraint");
        window.EnumerateObject().Select(p => p.Name).Should().Equal("start_time", "end_time");
        window.GetProperty("start_time").GetString().Should().Be("00:30:00Z");
        window.GetProperty("end_time").GetString().Should().Be("16:30:00Z");
        prices[1].GetProperty("prices").GetProperty("output_mtok").GetRawText().Should().Be("1.1");
    }

    [Fact]
    public void Tiered_prices_keep_base_and_tiers_with_their_start()
    {
        var input = Model("google", "gemini-2.5-pro").GetProperty("prices").GetProperty("input_mtok");
        input.EnumerateObject().Select(p => p.Name).Should().Equal("base", "tiers");
        input.GetProperty("base").GetRawText().Should().Be("1.25");
        var tier = input.GetProperty("tiers")[0];
        tier.EnumerateObject().Select(p => p.Name).Should().Equal("start", "price");
        tier.GetProperty("start").GetRawText().Should().Be("200000");
        tier.GetProperty("price").GetRawText().Should().Be("2.5");
    }

    [Fact]
    public void Claude_opus_4_6_keeps_its_price_history_with_the_start_date()
    {
        var prices = Model("anthropic", "claude-opus-4-6").GetProperty("prices");
        prices.GetArrayLength().Should().Be(2);
        var first = prices[0].GetProperty("prices");
        first.GetProperty("input_mtok").GetProperty("tiers")[0].GetProperty("start").GetRawText().Should().Be("200000");
        first.GetProperty("cache_write_mtok").GetProperty("base").GetRawText().Should().Be("6.25");
        first.GetProperty("web_searches_kcount").GetRawText().Should().Be("10");

        prices[1].GetProperty("constraint").GetProperty("start_date").GetString().Should().Be("2026-03-13");
        prices[1].GetProperty("prices").GetProperty("input_mtok").GetRawText().Should().Be("5");
    }

    [Fact]
    public void Every_number_of_the_feed_appears_in_the_catalog_as_the_same_text()
    {
        // Every price and tier start of the feed, as text, in feed order, equals the catalog's.
        static IEnumerable<string> Numbers(JsonElement providers) =>
            providers.EnumerateArray().SelectMany(p => p.GetProperty("models").EnumerateArray())
                .SelectMany(m => NumbersIn(m.GetProperty("prices")));

        using var feed = JsonDocument.Parse(Repo.Feed);
        var expected = Numbers(feed.RootElement).ToList();
        expected.Should().HaveCountGreaterThan(3000);
        Numbers(Root.GetProperty("providers")).Should().Equal(expected);
    }

    [Fact]
    public void Match_rules_keep_the_feed_shapes()
    {
        Provider("anthropic").GetProperty("model_match").GetProperty("contains").GetString().Should().Be("claude");
        Provider("anthropic").GetProperty("api_pattern").GetString().Should().Be(@"https://api\.anthropic\.com");
        var match = Model("anthropic", "claude-2").GetProperty("match").GetProperty("or");
        match[0].GetProperty("starts_with").GetString().Should().Be("claude-2");
        match[1].GetProperty("contains").GetString().Should().Be("claude-v2");

        var kinds = Regex.Matches(Shipped.Value.Json, "\"(starts_with|ends_with|contains|equals|regex|or|and)\":")
            .Select(m => m.Groups[1].Value).Distinct().Order(StringComparer.Ordinal);
        kinds.Should().Equal("and", "contains", "ends_with", "equals", "or", "regex", "starts_with");
    }

    private static IEnumerable<string> NumbersIn(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Number => [element.GetRawText()],
        JsonValueKind.Object => element.EnumerateObject().SelectMany(p => NumbersIn(p.Value)),
        JsonValueKind.Array => element.EnumerateArray().SelectMany(NumbersIn),
        _ => [],
    };

    private static JsonElement Provider(string id) =>
        Root.GetProperty("providers").EnumerateArray().Single(p => p.GetProperty("id").GetString() == id);

    private static JsonElement Model(string provider, string id) =>
        Provider(provider).GetProperty("models").EnumerateArray().Single(m => m.GetProperty("id").GetString() == id);
}
