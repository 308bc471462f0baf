using System.Globalization;
using System.Text;
using AiOrchestrator.Pricing;

namespace AiOrchestrator.Tests.Pricing;

/// <summary>Match rules, conditions and tiers, on a small catalog written for these tests.</summary>
public class SmallCatalogRulesTests
{
    internal const string Units = """
        [{"id":"input_tokens","priceKey":"input_mtok","per":1000000,"dimensions":{"direction":"input","family":"tokens"}},
         {"id":"output_tokens","priceKey":"output_mtok","per":1000000,"dimensions":{"direction":"output","family":"tokens"}},
         {"id":"cache_read_tokens","priceKey":"cache_read_mtok","per":1000000,"dimensions":{"direction":"input","family":"tokens","token_type":"cache_read"}},
         {"id":"input_audio_tokens","priceKey":"input_audio_mtok","per":1000000,"dimensions":{"direction":"input","family":"tokens","modality":"audio"}},
         {"id":"cache_audio_read_tokens","priceKey":"cache_audio_read_mtok","per":1000000,"dimensions":{"direction":"input","family":"tokens","modality":"audio","token_type":"cache_read"}},
         {"id":"input_text_tokens","priceKey":"input_text_mtok","per":1000000,"dimensions":{"direction":"input","family":"tokens","modality":"text"}},
         {"id":"web_searches","priceKey":"web_searches_kcount","per":1000,"dimensions":{"family":"tool_calls","tool_type":"web_search"}},
         {"id":"requests","priceKey":"requests_kcount","per":1000,"dimensions":{"family":"requests"}}]
        """;

    private const string Json = """
        {"format":2,"source":{"name":"test","commit":"0123456789abcdef0123456789abcdef01234567","date":"2026-01-02"},"currency":"USD","units":
        """ + Units + """
        ,"providers":[
        {"id":"maker","api_pattern":"https://api\\.maker\\.example","provider_match":{"and":[{"contains":"maker"},{"ends_with":".api"}]},"model_match":{"regex":"^mk-[0-9]+"},"models":[
        {"id":"mk-1","match":{"or":[{"equals":"mk-1"},{"starts_with":"mk-1-"}]},"prices":{"input_mtok":1,"output_mtok":2}},
        {"id":"mk-night","match":{"equals":"mk-night"},"prices":[{"prices":{"input_mtok":1,"output_mtok":1}},{"constraint":{"start_time":"22:00:00Z","end_time":"06:00:00Z"},"prices":{"input_mtok":0.5,"output_mtok":0.5}}]},
        {"id":"mk-free","match":{"equals":"mk-free"},"prices":{}},
        {"id":"mk-tiered","match":{"equals":"mk-tiered"},"prices":{"input_mtok":{"base":1,"tiers":[{"start":1000,"price":2},{"start":5000,"price":3}]},"output_mtok":{"base":4,"tiers":[{"start":1000,"price":8},{"start":5000,"price":12}]}}},
        {"id":"mk-audio","match":{"equals":"mk-audio"},"prices":{"input_mtok":1,"cache_read_mtok":0.1,"input_audio_mtok":10,"cache_audio_read_mtok":2.5,"output_mtok":4,"web_searches_kcount":10,"requests_kcount":2}}
        ]},
        {"id":"reseller","fallback_model_providers":["maker"],"models":[
        {"id":"mk-1","match":{"equals":"mk-1"},"prices":{"input_mtok":9,"output_mtok":9}},
        {"id":"other","match":{"contains":"other"},"prices":{"input_mtok":3,"output_mtok":3}}
        ]},
        {"id":"stranger","models":[
        {"id":"solo-1","match":{"equals":"solo-1"},"prices":{"input_mtok":5,"output_mtok":5}}
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
        Catalog.FindPrice("reseller", "mk-1", At("2026-01-01T12:00:00Z")).InputPerMillion.Should().Be(9m);

        // "maker.web" fails the ends_with clause: the provider is unknown, and no other provider's list is used.
        var act = () => Catalog.FindPrice("maker.web", "mk-1", At("2026-01-01T12:00:00Z"));
        act.Should().Throw<UnpricedModelException>().Which.Reason.Should().Be(UnpricedReason.UnknownProvider);
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
    public void An_empty_price_set_lists_the_model_without_a_price()
    {
        Catalog.TryFindPrice("maker", "mk-free", At("2026-01-01T12:00:00Z"), out _).Should().BeFalse();
        var act = () => Catalog.FindPrice("maker", "mk-free", At("2026-01-01T12:00:00Z"));
        act.Should().Throw<UnpricedModelException>().Which.Reason.Should().Be(UnpricedReason.ListedWithoutPrice);
        Catalog.ExplainUnpriced("maker", "mk-free", At("2026-01-01T12:00:00Z")).Should().Be(UnpricedReason.ListedWithoutPrice);
    }

    [Theory]
    // 1,000 input is not above 1,000: base. 1,000 x 1 + 100 x 4 = 1,400 / 1e6 = 0.0014
    [InlineData(1_000, "0.0014")]
    // 1,001 input: tier 1. 1,001 x 2 + 100 x 8 = 2,802 / 1e6 = 0.002802
    [InlineData(1_001, "0.002802")]
    // 5,000 input is not above 5,000: tier 1. 5,000 x 2 + 100 x 8 = 10,800 / 1e6 = 0.0108
    [InlineData(5_000, "0.0108")]
    // 6,000 input: tier 2. 6,000 x 3 + 100 x 12 = 19,200 / 1e6 = 0.0192
    [InlineData(6_000, "0.0192")]
    public void Tiers_are_chosen_by_total_input_tokens(long inputTokens, string expected)
        => Catalog.FindPrice("maker", "mk-tiered", At("2026-01-01T12:00:00Z"))
            .CalculateCost(new TokenUsage { InputTokens = inputTokens, OutputTokens = 100 })
            .Should().Be(Money.Usd(decimal.Parse(expected, CultureInfo.InvariantCulture)));

    [Fact]
    public void A_call_that_names_no_provider_is_priced_by_the_model_maker_and_flagged()
    {
        var price = Catalog.FindPrice(null, "mk-1", At("2026-01-01T12:00:00Z"));
        price.Provider.Should().Be("maker");
        price.Source.Should().Be(PriceSource.ModelMaker);
        price.Calculate(new TokenUsage { InputTokens = 1 }).UsedFallbackProvider.Should().BeTrue();

        // A model no maker claims is never taken from whichever list happens to have it.
        var act = () => Catalog.FindPrice(null, "some-other-model", At("2026-01-01T12:00:00Z"));
        act.Should().Throw<UnpricedModelException>().Which.Reason.Should().Be(UnpricedReason.UnknownModel);
    }

    [Fact]
    public void A_declared_fallback_provider_prices_what_the_provider_lacks_and_is_flagged()
    {
        var price = Catalog.FindPrice("reseller", "mk-night", At("2026-01-01T12:00:00Z"));
        price.Provider.Should().Be("maker");
        price.Source.Should().Be(PriceSource.FallbackProvider);
        price.Calculate(new TokenUsage { InputTokens = 1_000_000 }).Should().Match<CallCost>(c => c.UsedFallbackProvider && !c.UsedFallbackPrice && c.Cost == Money.Usd(1m));

        // The reseller's own list wins over the fallback, and is not flagged.
        var own = Catalog.FindPrice("reseller", "mk-1", At("2026-01-01T12:00:00Z"));
        own.Source.Should().Be(PriceSource.Catalog);
        own.Calculate(new TokenUsage { InputTokens = 1 }).UsedFallbackProvider.Should().BeFalse();
    }

    [Fact]
    public void An_undeclared_provider_is_never_used_as_a_fallback()
    {
        // "stranger" lists solo-1, but the maker does not declare it as a fallback; nor does the reseller.
        Catalog.FindPrice("stranger", "solo-1", At("2026-01-01T12:00:00Z")).InputPerMillion.Should().Be(5m);
        var act = () => Catalog.FindPrice("maker", "solo-1", At("2026-01-01T12:00:00Z"));
        act.Should().Throw<UnpricedModelException>().Which.Reason.Should().Be(UnpricedReason.UnknownModel);
        var viaReseller = () => Catalog.FindPrice("reseller", "solo-1", At("2026-01-01T12:00:00Z"));
        viaReseller.Should().Throw<UnpricedModelException>().Which.Reason.Should().Be(UnpricedReason.UnknownModel);
    }

    [Fact]
    public void A_provider_resolves_by_id_alias_rule_and_endpoint()
    {
        Catalog.TryResolveProvider("MAKER", out var id).Should().BeTrue();
        id.Should().Be("maker");
        Catalog.TryResolveProvider("the-maker.api", out id).Should().BeTrue();
        id.Should().Be("maker");
        Catalog.TryResolveProvider("nobody", out _).Should().BeFalse();
        Catalog.TryResolveEndpoint(new Uri("https://api.maker.example/v1"), out id).Should().BeTrue();
        id.Should().Be("maker");
        Catalog.TryResolveEndpoint(new Uri("https://elsewhere.example/api.maker.example"), out _).Should().BeFalse();
        Catalog.ProviderFor("openai", new Uri("https://api.maker.example/v1")).Should().Be("maker");
        Catalog.ProviderFor("openai", new Uri("http://localhost:1234")).Should().Be("openai");
        PriceCatalog.Default.TryResolveProvider("azure.ai.openai", out id).Should().BeTrue();
        id.Should().Be("azure");
        PriceCatalog.Default.TryResolveProvider("gcp.vertex_ai", out id).Should().BeTrue();
        id.Should().Be("google");
    }

    [Fact]
    public void Each_count_is_priced_by_the_most_specific_priced_unit_that_contains_it()
    {
        var price = Catalog.FindPrice("maker", "mk-audio", At("2026-01-01T12:00:00Z"));

        // Input 10,000: cache reads 3,000 of which 1,000 audio; audio 4,000 (1,000 of it cached). 2 web searches.
        // cached audio 1,000 x 2.5 = 2,500; cached other 2,000 x 0.1 = 200; uncached audio 3,000 x 10 = 30,000;
        // plain input 10,000 - 2,000 - 3,000 - 1,000 = 4,000 x 1 = 4,000 -> input 36,700 / 1e6 = 0.0367
        // output 500 x 4 = 2,000 / 1e6 = 0.002; searches 2 x 10 / 1,000 = 0.02; one request 2 / 1,000 = 0.002
        var usage = new TokenUsage
        {
            InputTokens = 10_000, CachedInputTokens = 3_000, InputAudioTokens = 4_000, CachedAudioInputTokens = 1_000,
            OutputTokens = 500, WebSearches = 2,
        };
        var cost = price.Calculate(usage);
        cost.InputCost.Should().Be(0.0367m);
        cost.OutputCost.Should().Be(0.002m);
        cost.OtherCost.Should().Be(0.022m);
        cost.Cost.Should().Be(Money.Usd(0.0607m));
        cost.Parts.Should().Contain(p => p.Unit.Id == "cache_audio_read_tokens" && p.Count == 1_000 && p.Amount == 0.0025m);
        cost.Parts.Should().Contain(p => p.Unit.Id == "cache_read_tokens" && p.Count == 2_000 && p.Amount == 0.0002m);
        cost.Parts.Should().Contain(p => p.Unit.Id == "input_audio_tokens" && p.Count == 3_000 && p.Amount == 0.03m);
        cost.Parts.Should().Contain(p => p.Unit.Id == "input_tokens" && p.Count == 4_000 && p.Amount == 0.004m);
        cost.Parts.Should().Contain(p => p.Unit.Id == "web_searches" && p.Count == 2 && p.Price == 10m && p.Amount == 0.02m);
        cost.Parts.Should().Contain(p => p.Unit.Id == "requests" && p.Count == 1 && p.Amount == 0.002m);
        cost.Parts.Sum(p => p.Amount).Should().Be(cost.Cost.Amount);
        cost.IsComplete.Should().BeTrue();
    }

    [Fact]
    public void A_count_no_price_covers_is_reported_not_dropped_silently()
    {
        var cost = Catalog.FindPrice("maker", "mk-1", At("2026-01-01T12:00:00Z"))
            .Calculate(new TokenUsage { InputTokens = 1_000_000, OutputTokens = 1_000_000, WebSearches = 3 });
        cost.Cost.Should().Be(Money.Usd(3m));
        cost.UnpricedUnits.Should().Equal("web_searches");
        cost.IsComplete.Should().BeFalse();
    }

    [Fact]
    public void A_priced_unit_the_usage_cannot_carry_is_reported_and_its_tokens_fall_to_the_ancestor()
    {
        var json = Json.Replace("\"cache_read_mtok\":0.1,", "\"cache_read_mtok\":0.1,\"input_text_mtok\":0.7,", StringComparison.Ordinal);
        var price = PriceCatalog.Load(new MemoryStream(Encoding.UTF8.GetBytes(json))).FindPrice("maker", "mk-audio", At("2026-01-01T12:00:00Z"));
        price.UnreportedUnits.Select(u => u.Id).Should().Equal("input_text_tokens");
        var cost = price.Calculate(new TokenUsage { InputTokens = 1_000_000 });
        cost.UnreportedUnits.Select(u => u.Id).Should().Equal("input_text_tokens");
        cost.InputCost.Should().Be(1m);
    }

    [Fact]
    public void Usage_whose_parts_exceed_their_unit_is_refused()
    {
        var price = Catalog.FindPrice("maker", "mk-audio", At("2026-01-01T12:00:00Z"));
        var act = () => price.Calculate(new TokenUsage { InputTokens = 100, InputAudioTokens = 80, CachedInputTokens = 50 });
        act.Should().Throw<InvalidUsageException>().WithMessage("*more than the 100 input tokens*");
    }

    [Fact]
    public void The_worst_case_uses_the_highest_output_price_and_the_request_price()
    {
        var price = Catalog.FindPrice("maker", "mk-audio", At("2026-01-01T12:00:00Z"));

        // 1,000 input x 1 = 0.001; 1,000 output x 4 = 0.004; one request 0.002.
        price.EstimateMaxCost(1_000, 1_000).Should().Be(Money.Usd(0.007m));
        price.PerRequest.Should().Be(0.002m);
        price.MaxAffordableOutputTokens(Money.Usd(0.007m), 1_000).Should().Be(1_000);
        price.MaxAffordableOutputTokens(Money.Usd(0.006999m), 1_000).Should().Be(999);
    }

    [Fact]
    public void A_feed_file_as_published_loads_against_the_shipped_registry()
    {
        const string Feed = """
            [{"id":"acme","name":"Acme","pricing_urls":[],"api_pattern":"https://acme","models":[
              {"id":"acme-1","name":"Acme 1","match":{"equals":"acme-1"},"context_window":1000,"prices":{"input_mtok":2,"output_mtok":3,"cache_write_1h_mtok":4}}]}]
            """;
        var catalog = PriceCatalog.Load(new MemoryStream(Encoding.UTF8.GetBytes(Feed)));
        catalog.Units.Should().BeSameAs(PriceCatalog.Default.Units);
        catalog.FindPrice("acme", "acme-1", At("2026-01-01T00:00:00Z"))
            .CalculateCost(new TokenUsage { InputTokens = 2_000_000, CacheWrite1hTokens = 1_000_000, OutputTokens = 1_000_000 })
            .Should().Be(Money.Usd(9m));
    }

    [Theory]
    [InlineData("""{"input_mtok":1,"shiny_new_mtok":2}""", "*price key 'shiny_new_mtok'*unit registry*")]
    [InlineData("""{"input_mtok":-1}""", "*price -1 for 'input_mtok'*non-negative*")]
    [InlineData("""{"input_mtok":"1"}""", "*price for 'input_mtok' that is neither a number nor*")]
    [InlineData("""{"input_mtok":{"base":1,"tiers":[{"start":5,"price":2},{"start":5,"price":3}]}}""", "*tiers for 'input_mtok'*ascending*")]
    [InlineData("""{"input_mtok":1,"cache_read_mtok":0.1,"input_audio_mtok":5}""", "*price 'cache_read_mtok' and 'input_audio_mtok' but not 'cache_audio_read_mtok'*")]
    public void A_bad_price_fails_the_load_naming_model_and_key(string prices, string message)
    {
        var feed = $$"""[{"id":"acme","models":[{"id":"acme-1","match":{"equals":"acme-1"},"prices":{{prices}}}]}]""";
        var act = () => PriceCatalog.Load(new MemoryStream(Encoding.UTF8.GetBytes(feed)));
        act.Should().Throw<InvalidDataException>().WithMessage(message).And.Message.Should().Contain("acme/acme-1");
    }

    [Fact]
    public void A_fallback_to_a_provider_the_catalog_lacks_fails_the_load()
    {
        const string Feed = """[{"id":"acme","fallback_model_providers":["ghost"],"models":[]}]""";
        var act = () => PriceCatalog.Load(new MemoryStream(Encoding.UTF8.GetBytes(Feed)));
        act.Should().Throw<InvalidDataException>().WithMessage("*'acme'*falls back to provider 'ghost'*");
    }

    [Fact]
    public void A_catalog_in_an_unknown_format_is_refused()
    {
        var act = () => PriceCatalog.Load(new MemoryStream(Encoding.UTF8.GetBytes("""{"format":99,"source":{"commit":"x"},"currency":"USD","providers":[]}""")));
        act.Should().Throw<InvalidDataException>().WithMessage("*format 99*");
    }
}
