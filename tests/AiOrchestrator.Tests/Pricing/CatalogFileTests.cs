using System.Text;
using AiOrchestrator.Pricing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AiOrchestrator.Tests.Pricing;

/// <summary>Loading a newer price feed at start, and prices for any unit, from code and configuration.</summary>
public sealed class CatalogFileTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly string _directory = Directory.CreateTempSubdirectory("aio-catalog-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, text, Encoding.UTF8);
        return path;
    }

    private const string NewerFeed = """
        [{"id":"openai","name":"OpenAI","pricing_urls":[],"api_pattern":"https://api\\.openai\\.com","provider_match":{"contains":"openai"},
          "models":[{"id":"gpt-9","match":{"starts_with":"gpt-9"},"prices":{"input_mtok":7,"output_mtok":21,"web_searches_kcount":25}}]}]
        """;

    [Fact]
    public void A_catalog_file_replaces_the_shipped_catalog_and_is_used_for_costs()
    {
        var calculator = new CostCalculator(new PricingOptions { CatalogFile = Write("data.json", NewerFeed) });

        calculator.Catalog.Should().NotBeSameAs(PriceCatalog.Default);
        var cost = calculator.Calculate("openai", "gpt-9-2027-01-01", new TokenUsage { InputTokens = 1_000_000, OutputTokens = 1_000_000, WebSearches = 2 }, Now);
        cost.Cost.Should().Be(Money.Usd(28.05m));
        cost.OtherCost.Should().Be(0.05m);

        // Only the file's models are known: the shipped ones are not mixed in.
        var act = () => calculator.GetPrice("openai", "gpt-4o", Now);
        act.Should().Throw<UnpricedModelException>().Which.Reason.Should().Be(UnpricedReason.UnknownModel);
    }

    [Fact]
    public void A_catalog_given_in_code_is_used_and_not_replaced_by_the_shipped_one()
    {
        var catalog = PriceCatalog.Load(new MemoryStream(Encoding.UTF8.GetBytes(NewerFeed)));
        var calculator = new CostCalculator(new PricingOptions(), catalog);
        calculator.Catalog.Should().BeSameAs(catalog);
        calculator.GetPrice("openai", "gpt-9", Now).InputPerMillion.Should().Be(7m);
        new CostCalculator(new PricingOptions()).Catalog.Should().BeSameAs(PriceCatalog.Default);
    }

    [Theory]
    [InlineData("missing.json", null, "*CatalogFile is '*missing.json', which cannot be used*does not exist*")]
    [InlineData("broken.json", "{ not json", "*CatalogFile is '*broken.json', which cannot be used*not valid JSON*")]
    [InlineData("newer.json", """[{"id":"x","models":[{"id":"m","match":{"equals":"m"},"prices":{"input_mtok":1,"teleport_kcount":3}}]}]""", "*x/m*price key 'teleport_kcount'*regenerate the catalog*")]
    public void A_catalog_file_that_cannot_be_used_fails_at_start_naming_the_setting(string name, string? text, string message)
    {
        var path = text is null ? Path.Combine(_directory, name) : Write(name, text);
        var options = new PricingOptions { CatalogFile = path };

        new PricingOptionsValidator().Validate(null, options).Failures.Should().ContainSingle().Which.Should().Match(message);
        var act = () => new CostCalculator(options);
        act.Should().Throw<OptionsValidationException>().WithMessage(message);
    }

    [Fact]
    public void Prices_for_any_unit_bind_from_configuration_and_are_checked_against_the_registry()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AiOrchestrator:Pricing:Prices:0:Provider"] = "acme",
            ["AiOrchestrator:Pricing:Prices:0:Model"] = "acme-search",
            ["AiOrchestrator:Pricing:Prices:0:InputPerMillion"] = "1",
            ["AiOrchestrator:Pricing:Prices:0:OutputPerMillion"] = "2",
            ["AiOrchestrator:Pricing:Prices:0:Units:web_searches_kcount"] = "12.5",
            ["AiOrchestrator:Pricing:Prices:0:Units:output_image_mtok"] = "40",
        }).Build();
        var services = new ServiceCollection();
        services.AddOptions<PricingOptions>().BindConfiguration(PricingOptions.SectionName);
        services.AddSingleton<IConfiguration>(configuration);
        using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<IOptions<PricingOptions>>().Value;

        var cost = new CostCalculator(options).Calculate(
            "acme", "acme-search", new TokenUsage { InputTokens = 1_000_000, OutputTokens = 2_000_000, OutputImageTokens = 1_000_000, WebSearches = 4 }, Now);

        // input 1; text output 1,000,000 x 2 = 2; image output 1,000,000 x 40 = 40; 4 searches x 12.5 / 1,000 = 0.05
        cost.Cost.Should().Be(Money.Usd(43.05m));
        cost.InputCost.Should().Be(1m);
        cost.OutputCost.Should().Be(42m);
        cost.OtherCost.Should().Be(0.05m);

        options.Prices[0].Units["teleports_kcount"] = 1m;
        new PricingOptionsValidator().Validate(null, options).Failures.Should().ContainSingle()
            .Which.Should().StartWith("AiOrchestrator:Pricing:Prices:0:Units:teleports_kcount is not a price key");
    }

    [Fact]
    public void An_override_that_prices_two_overlapping_units_must_price_their_overlap()
    {
        var definition = new ModelPriceDefinition { Model = "audio-model", InputPerMillion = 1m, OutputPerMillion = 1m, CachedInputPerMillion = 0.1m, InputAudioPerMillion = 5m };
        var act = () => PriceCatalog.Default.WithPrices([definition]);
        act.Should().Throw<ArgumentException>().WithMessage("*'cache_read_mtok' and 'input_audio_mtok' but not 'cache_audio_read_mtok'*");

        definition.Units["cache_audio_read_mtok"] = 0.5m;
        var price = PriceCatalog.Default.WithPrices([definition]).FindPrice(null, "audio-model", Now);
        price.CalculateCost(new TokenUsage { InputTokens = 3_000_000, CachedInputTokens = 2_000_000, InputAudioTokens = 1_000_000, CachedAudioInputTokens = 1_000_000 })
            .Should().Be(Money.Usd(1.6m)); // 1M cached text x 0.1 + 1M cached audio x 0.5 + 1M plain input x 1
    }
}
