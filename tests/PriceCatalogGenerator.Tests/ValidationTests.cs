using System.Diagnostics;
using System.Text.Json;

namespace PriceCatalogGenerator.Tests;

/// <summary>Hand-written feeds: what passes, and every way the generator refuses a feed, naming provider, model and key.</summary>
public class ValidationTests
{
    /// <summary>A one-provider feed whose model "m1" has the given prices (a JSON object or list).</summary>
    private static string FeedWith(string prices, string provider = "p") => $$"""
        [
          {
            "id": "{{provider}}", "name": "P", "api_pattern": "https://api\\.p\\.example", "pricing_urls": ["https://p.example"],
            "extractors": [], "models": [ { "id": "m1", "name": "M1", "context_window": 1000, "match": { "equals": "m1" }, "prices": {{prices}} } ]
          }
        ]
        """;

    private static string Fails(string feed)
    {
        var act = () => Repo.Generate(feed);
        return act.Should().Throw<CatalogValidationException>().Which.Message;
    }

    [Fact]
    public void A_small_valid_feed_becomes_a_catalog()
    {
        var catalog = Repo.Generate(FeedWith("""{ "input_mtok": 1.50, "output_mtok": { "base": 2, "tiers": [ { "start": 1000, "price": 3.0 }, { "start": 2000, "price": 4 } ] } }"""));

        var provider = JsonDocument.Parse(catalog.Json).RootElement.GetProperty("providers")[0];
        provider.EnumerateObject().Select(p => p.Name).Should().Equal("id", "api_pattern", "models");
        var model = provider.GetProperty("models")[0];
        model.EnumerateObject().Select(p => p.Name).Should().Equal("id", "match", "prices");
        catalog.Summary.Should().Be(new CatalogSummary(Providers: 1, Models: 1, Units: 59, PriceEntries: 2, UnpricedModels: 0));
        catalog.Source.Should().Be(new SourceInfo("0123456789abcdef0123456789abcdef01234567", "2026-01-02"));
    }

    [Fact]
    public void Numbers_are_copied_as_text_never_through_a_binary_float()
    {
        var catalog = Repo.Generate(FeedWith("""{ "input_mtok": 1.50, "output_mtok": 0.1000000000000000055511151231257827, "cache_read_mtok": 3e-7, "cache_write_mtok": 1E+2 }"""));

        var prices = JsonDocument.Parse(catalog.Json).RootElement.GetProperty("providers")[0].GetProperty("models")[0].GetProperty("prices");
        prices.GetProperty("input_mtok").GetRawText().Should().Be("1.50");
        prices.GetProperty("output_mtok").GetRawText().Should().Be("0.1000000000000000055511151231257827");
        prices.GetProperty("cache_read_mtok").GetRawText().Should().Be("3e-7");
        prices.GetProperty("cache_write_mtok").GetRawText().Should().Be("1E+2");
    }

    [Fact]
    public void An_empty_price_set_is_kept_and_counted()
    {
        var catalog = Repo.Generate(FeedWith("{}"));
        catalog.Summary.UnpricedModels.Should().Be(1);
        catalog.Summary.PriceEntries.Should().Be(0);
        JsonDocument.Parse(catalog.Json).RootElement.GetProperty("providers")[0].GetProperty("models")[0]
            .GetProperty("prices").EnumerateObject().Should().BeEmpty();
    }

    [Fact]
    public void A_price_key_missing_from_the_registry_fails_naming_it_and_the_registry()
    {
        var message = Fails(FeedWith("""{ "input_mtok": 1, "teleport_mtok": 2 }"""));
        message.Should().Contain("provider 'p'").And.Contain("model 'm1'").And.Contain("'teleport_mtok'")
            .And.Contain("not a price key of the unit registry").And.Contain("must be updated");
    }

    [Fact]
    public void A_price_key_missing_from_the_registry_fails_inside_conditional_prices_too()
    {
        var message = Fails(FeedWith("""[ { "prices": { "input_mtok": 1 } }, { "constraint": { "start_date": "2026-01-01" }, "prices": { "teleport_mtok": 2 } } ]"""));
        message.Should().Contain("model 'm1', prices[1]").And.Contain("'teleport_mtok'");
    }

    [Theory]
    [InlineData("""{ "input_mtok": -1 }""", "input_mtok", "-1 is negative")]
    [InlineData("""{ "input_mtok": -0.5 }""", "input_mtok", "-0.5 is negative")]
    [InlineData("""{ "input_mtok": { "base": -2, "tiers": [] } }""", "input_mtok", "base price -2 is negative")]
    [InlineData("""{ "input_mtok": { "base": 2, "tiers": [ { "start": 10, "price": -3 } ] } }""", "input_mtok", "tier price -3 is negative")]
    [InlineData("""{ "output_mtok": "1.5" }""", "output_mtok", "must be a number or a tiered price")]
    [InlineData("""{ "output_mtok": null }""", "output_mtok", "must be a number or a tiered price")]
    [InlineData("""{ "output_mtok": [1] }""", "output_mtok", "must be a number or a tiered price")]
    [InlineData("""{ "output_mtok": { "tiers": [] } }""", "output_mtok", "needs 'base'")]
    [InlineData("""{ "output_mtok": { "base": 1 } }""", "output_mtok", "needs 'tiers'")]
    [InlineData("""{ "output_mtok": { "base": "1", "tiers": [] } }""", "output_mtok", "base price must be a number")]
    [InlineData("""{ "output_mtok": { "base": 1, "tiers": [], "cap": 5 } }""", "output_mtok", "unknown key 'cap'")]
    [InlineData("""{ "output_mtok": { "base": 1, "tiers": [ { "start": 1.5, "price": 2 } ] } }""", "output_mtok", "start must be a positive whole number")]
    [InlineData("""{ "output_mtok": { "base": 1, "tiers": [ { "start": 0, "price": 2 } ] } }""", "output_mtok", "start must be a positive whole number")]
    [InlineData("""{ "output_mtok": { "base": 1, "tiers": [ { "start": 10 } ] } }""", "output_mtok", "needs 'price'")]
    [InlineData("""{ "output_mtok": 1e999 }""", "output_mtok", "out of range")]
    public void A_bad_price_fails_naming_the_model_and_key(string prices, string key, string expected)
    {
        var message = Fails(FeedWith(prices));
        message.Should().Contain("model 'm1'").And.Contain($"price key '{key}'").And.Contain(expected);
    }

    [Theory]
    [InlineData("[ { \"start\": 200000, \"price\": 2 }, { \"start\": 100000, \"price\": 3 } ]", "100000 follows 200000")]
    [InlineData("[ { \"start\": 200000, \"price\": 2 }, { \"start\": 200000, \"price\": 3 } ]", "200000 follows 200000")]
    public void Tiers_out_of_ascending_order_fail(string tiers, string expected)
    {
        var message = Fails(FeedWith($$"""{ "input_mtok": { "base": 1, "tiers": {{tiers}} } }"""));
        message.Should().Contain("model 'm1'").And.Contain("'input_mtok'").And.Contain("ascending").And.Contain(expected);
    }

    [Fact]
    public void Pricing_two_units_that_meet_in_a_registry_unit_without_pricing_it_fails()
    {
        var message = Fails(FeedWith("""{ "input_mtok": 1, "cache_read_mtok": 0.1, "input_audio_mtok": 4, "output_mtok": 2 }"""));
        message.Should().Contain("model 'm1'").And.Contain("'cache_read_mtok'").And.Contain("'input_audio_mtok'")
            .And.Contain("'cache_audio_read_mtok'").And.Contain("join closedness");
    }

    [Fact]
    public void Join_closedness_is_checked_in_every_conditional_price_set()
    {
        var message = Fails(FeedWith("""
            [ { "prices": { "input_mtok": 1, "cache_read_mtok": 0.1, "input_audio_mtok": 4, "cache_audio_read_mtok": 0.4 } },
              { "constraint": { "start_date": "2026-05-01" }, "prices": { "input_image_mtok": 1, "cache_read_mtok": 0.1 } } ]
            """));
        message.Should().Contain("prices[1]").And.Contain("'cache_image_read_mtok'").And.NotContain("prices[0]");
    }

    [Theory]
    [InlineData("""{ "input_mtok": 1, "cache_read_mtok": 0.1, "input_audio_mtok": 4, "cache_audio_read_mtok": 0.4 }""")]
    [InlineData("""{ "input_audio_mtok": 1, "input_image_mtok": 2, "input_video_mtok": 3 }""")] // different modalities never meet
    [InlineData("""{ "input_mtok": 1, "output_mtok": 2, "output_audio_mtok": 3 }""")] // ancestor and descendant: the union is the descendant
    [InlineData("""{ "cache_write_mtok": 1, "cache_write_1h_mtok": 2, "web_searches_kcount": 10, "requests_kcount": 1 }""")]
    [InlineData("""{ "cache_read_mtok": 1, "cache_write_mtok": 2 }""")] // token_type differs
    public void Price_sets_that_are_join_closed_pass(string prices)
    {
        Repo.Generate(FeedWith(prices)).Summary.Models.Should().Be(1);
    }

    [Fact]
    public void A_fallback_provider_that_does_not_exist_fails_naming_it()
    {
        var feed = """
            [
              { "id": "a", "name": "A", "api_pattern": "a", "fallback_model_providers": ["b", "ghost"], "models": [] },
              { "id": "b", "name": "B", "api_pattern": "b", "models": [] }
            ]
            """;
        var message = Fails(feed);
        message.Should().Contain("provider 'a'").And.Contain("'ghost'").And.Contain("not a provider").And.NotContain("'b', which");
    }

    [Fact]
    public void A_provider_id_used_twice_fails()
    {
        var feed = """
            [
              { "id": "a", "name": "A", "api_pattern": "a", "models": [] },
              { "id": "a", "name": "A again", "api_pattern": "a2", "models": [] }
            ]
            """;
        Fails(feed).Should().Contain("provider 'a'").And.Contain("provider id is used more than once");
    }

    [Fact]
    public void A_model_id_used_twice_in_one_provider_fails_but_the_same_id_in_two_providers_passes()
    {
        var twice = """
            [ { "id": "a", "name": "A", "api_pattern": "a", "models": [
                { "id": "m", "match": { "equals": "m" }, "prices": {} },
                { "id": "m", "match": { "equals": "m2" }, "prices": {} } ] } ]
            """;
        Fails(twice).Should().Contain("provider 'a', model 'm'").And.Contain("model id is used more than once");

        var acrossProviders = """
            [ { "id": "a", "name": "A", "api_pattern": "a", "models": [ { "id": "m", "match": { "equals": "m" }, "prices": {} } ] },
              { "id": "b", "name": "B", "api_pattern": "b", "models": [ { "id": "m", "match": { "equals": "m" }, "prices": {} } ] } ]
            """;
        Repo.Generate(acrossProviders).Summary.Models.Should().Be(2);
    }

    [Theory]
    [InlineData("""{ "equals": "m1", "contains": "m" }""", "exactly one of")]
    [InlineData("""{ "glob": "m*" }""", "unknown match clause 'glob'")]
    [InlineData("""{ "or": [] }""", "'or' needs a non-empty array")]
    [InlineData("""{ "and": [ { "equals": 5 } ] }""", "'equals' needs a non-empty string")]
    [InlineData("""{ "regex": "m(1" }""", "not a valid .NET regular expression")]
    public void A_bad_match_clause_fails_naming_the_model(string match, string expected)
    {
        var feed = $$"""[ { "id": "p", "name": "P", "api_pattern": "p", "models": [ { "id": "m1", "match": {{match}}, "prices": {} } ] } ]""";
        Fails(feed).Should().Contain("model 'm1': match").And.Contain(expected);
    }

    [Theory]
    [InlineData("""{ "start_date": "2026-13-01" }""", "start_date")]
    [InlineData("""{ "start_date": "1 May 2026" }""", "start_date")]
    [InlineData("""{ "start_time": "25:00:00Z", "end_time": "08:00:00Z" }""", "start_time")]
    [InlineData("""{ "start_time": "01:00:00Z" }""", "a constraint must be")]
    [InlineData("""{ "until": "2026-01-01" }""", "a constraint must be")]
    public void A_bad_constraint_fails_naming_the_model(string constraint, string expected)
    {
        Fails(FeedWith($$"""[ { "constraint": {{constraint}}, "prices": { "input_mtok": 1 } } ]""")).Should().Contain("model 'm1', prices[0]").And.Contain(expected);
    }

    [Theory]
    [InlineData("""{ "id": "p", "name": "P", "api_pattern": "p", "models": [], "discount": 5 }""", "provider 'p': unknown key 'discount'")]
    [InlineData("""{ "id": "p", "name": "P", "models": [] }""", "provider 'p': 'api_pattern' must be a non-empty string")]
    [InlineData("""{ "name": "P", "api_pattern": "p", "models": [] }""", "'id' must be a non-empty string")]
    [InlineData("""{ "id": "p", "name": "P", "api_pattern": "p" }""", "provider 'p': 'models' must be an array")]
    [InlineData("""{ "id": "p", "name": "P", "api_pattern": "p", "models": [ { "id": "m1", "match": { "equals": "m1" } } ] }""", "model 'm1': 'prices' is missing")]
    [InlineData("""{ "id": "p", "name": "P", "api_pattern": "p", "models": [ { "id": "m1", "match": { "equals": "m1" }, "prices": {}, "batch": {} } ] }""", "model 'm1': unknown key 'batch'")]
    public void An_unexpected_feed_shape_fails_naming_where(string provider, string expected)
    {
        Fails($"[{provider}]").Should().Contain(expected);
    }

    [Theory]
    [InlineData("{}", "must be a JSON array")]
    [InlineData("[", "not valid JSON")]
    [InlineData("""[ { "id": "p", "id": "q", "name": "P", "api_pattern": "p", "models": [] } ]""", "not valid JSON")]
    public void A_feed_that_is_not_an_array_of_providers_fails(string feed, string expected)
    {
        Fails(feed).Should().Contain("data.json").And.Contain(expected);
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var message = Fails(FeedWith("""{ "teleport_mtok": 1, "input_mtok": -1 }"""));
        message.Should().StartWith("2 problems:").And.Contain("teleport_mtok").And.Contain("-1 is negative");
    }

    [Theory]
    [InlineData("")]
    [InlineData("47df840a5ab10bbcffb8e5ac01b9899032245d1b 2026-08-21")]
    [InlineData("47df840 (2026-08-21): short")]
    [InlineData("47df840a5ab10bbcffb8e5ac01b9899032245d1b (2026-02-30): not a date")]
    public void A_malformed_source_commit_file_fails(string text)
    {
        var act = () => CatalogGenerator.Generate("[]"u8.ToArray(), Repo.Units, text);
        act.Should().Throw<CatalogValidationException>().Which.Message.Should().Contain("SOURCE-COMMIT.txt");
    }

    [Fact]
    public void The_command_line_exits_non_zero_and_names_the_key_when_the_feed_is_invalid()
    {
        var folder = Directory.CreateTempSubdirectory("price-catalog-generator-tests-");
        try
        {
            var feed = Path.Combine(folder.FullName, "data.json");
            var output = Path.Combine(folder.FullName, "price-catalog.json");
            File.WriteAllText(feed, FeedWith("""{ "teleport_mtok": 1 }"""));

            var (exitCode, stdout, stderr) = RunGenerator("--feed", feed, "--out", output);

            exitCode.Should().Be(1, stdout);
            stderr.Should().Contain("teleport_mtok").And.Contain("model 'm1'");
            File.Exists(output).Should().BeFalse();
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void The_command_line_writes_the_catalog_and_prints_the_summary()
    {
        var folder = Directory.CreateTempSubdirectory("price-catalog-generator-tests-");
        try
        {
            var output = Path.Combine(folder.FullName, "price-catalog.json");

            var (exitCode, stdout, stderr) = RunGenerator("--out", output);

            exitCode.Should().Be(0, stderr);
            var summary = Repo.GenerateShipped().Summary;
            stdout.Should().Contain($"{summary.Providers} providers, {summary.Models} models, {summary.Units} units, {summary.PriceEntries} price entries");
            File.ReadAllBytes(output).Should().Equal(File.ReadAllBytes(Repo.CatalogPath));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static (int ExitCode, string Stdout, string Stderr) RunGenerator(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Repo.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "PriceCatalogGenerator.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr);
    }
}
