using System.Globalization;
using System.Text;
using AiOrchestrator.Pricing;

namespace AiOrchestrator.Tests.Pricing;

/// <summary>Match rules, conditions and tiers, on a small catalog written for these tests.</summary>
public class SmallCatalogRulesTests
{
    private const string Json = """
        {"format":1,"source":{"name":"test","commit":"0123456789abcdef0123456789abcdef01234567","date":"2026-01-02"},"currency":"USD","providers":[
        {"id":"maker","name":"Maker","providerMatch":{"and":[{"contains":"maker"},{"endsWith":".api"}]},"modelMatch":{"regex":"^mk-[0-9]+"},"models":[
        {"id":"mk-1","match":{"or":[{"equals":"mk-1"},{"startsWith":"mk-1-"}]},"prices":[{"input":1,"output":2}]},
        {"id":"mk-night","match":{"equals":"mk-night"},"prices":[{"input":1,"output":1},{"dailyFrom":"22:00:00","dailyUntil":"06:00:00","input":0.5,"output":0.5}]},
        {"id":"mk-free","match":{"equals":"mk-free"},"prices":[{"unpriced":true}]},
        {"id":"mk-tiered","match":{"equals":"mk-tiered"},"prices":[{"input":1,"output":4,"tiers":[{"above":1000,"input":2,"output":8},{"above":5000,"input":3,"output":12}]}]}
        ]},
        {"id":"reseller","name":"Reseller","models":[
        {"id":"mk-1","match":{"equals":"mk-1"},"prices":[{"input":9,"output":9}]},
        {"id":"other","match":{"contains":"other"},"prices":[{"input":3,"output":3}]}
        ]}
        ]}
        """;

    private static readonly PriceCatalog Catalog = PriceCatalog.Load(new MemoryStream(Encoding.UTF8.GetBytes(Json)));

    private static DateTimeOffset At(string iso) => DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture);

    [Fact]
    public void Source_commit_and_date_are_read()
    {
        Catalog.SourceCommit.Should().Be("0123456789abcdef0123456789abcdef01234567");
        Catalog.SourceDate.Should().Be(new DateOnly(2026, 1, 2));
    }

    [Fact]
    public void And_rule_matches_the_provider_name_only_when_every_clause_holds()
    {
        Catalog.FindPrice("the-maker.api", "mk-1", At("2026-01-01T12:00:00Z")).InputPerMillion.Should().Be(1m);

        // "maker.web" fails the endsWith clause: the provider is unknown, so the model decides (maker's regex claims mk-*).
        Catalog.FindPrice("maker.web", "mk-1", At("2026-01-01T12:00:00Z")).Provider.Should().Be("maker");
        Catalog.FindPrice("reseller", "mk-1", At("2026-01-01T12:00:00Z")).InputPerMillion.Should().Be(9m);
    }

    [Fact]
    public void A_daily_window_that_wraps_midnight_applies_on_both_sides()
    {
        Catalog.FindPrice("maker", "mk-night", At("2026-01-01T23:00:00Z")).InputPerMillion.Should().Be(0.5m);
        Catalog.FindPrice("maker", "mk-night", At("2026-01-01T05:59:59Z")).InputPerMillion.Should().Be(0.5m);
        Catalog.FindPrice("maker", "mk-night", At("2026-01-01T06:00:00Z")).InputPerMillion.Should().Be(1m);
        Catalog.FindPrice("maker", "mk-night", At("2026-01-01T21:59:59Z")).InputPerMillion.Should().Be(1m);
    }

    [Fact]
    public void An_unpriced_entry_claims_the_id_without_giving_a_price()
        => Catalog.TryFindPrice("maker", "mk-free", At("2026-01-01T12:00:00Z"), out _).Should().BeFalse();

    [Theory]
    // 1,000 input is not above 1,000: base. 1,000 x 1 + 100 x 4 = 1,400 / 1e6 = 0.0014
    [InlineData(1_000, "0.0014")]
    // 1,001 input: tier 1. 1,001 x 2 + 100 x 8 = 2,802 / 1e6 = 0.002802
    [InlineData(1_001, "0.002802")]
    // 6,000 input: tier 2. 6,000 x 3 + 100 x 12 = 19,200 / 1e6 = 0.0192
    [InlineData(6_000, "0.0192")]
    public void Tiers_are_chosen_by_total_input_tokens(long inputTokens, string expected)
        => Catalog.FindPrice("maker", "mk-tiered", At("2026-01-01T12:00:00Z"))
            .CalculateCost(new TokenUsage { InputTokens = inputTokens, OutputTokens = 100 })
            .Should().Be(Money.Usd(decimal.Parse(expected, CultureInfo.InvariantCulture)));

    [Fact]
    public void A_model_no_maker_claims_is_found_in_any_provider()
        => Catalog.FindPrice(null, "some-other-model", At("2026-01-01T12:00:00Z")).Provider.Should().Be("reseller");

    [Fact]
    public void A_catalog_in_an_unknown_format_is_refused()
    {
        var act = () => PriceCatalog.Load(new MemoryStream(Encoding.UTF8.GetBytes("""{"format":99,"source":{"commit":"x"},"currency":"USD","providers":[]}""")));
        act.Should().Throw<InvalidDataException>().WithMessage("*format 99*");
    }
}
