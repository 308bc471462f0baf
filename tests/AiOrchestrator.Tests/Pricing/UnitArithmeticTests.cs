using System.Text;
using AiOrchestrator.Pricing;
using Microsoft.Extensions.Options;

namespace AiOrchestrator.Tests.Pricing;

/// <summary>
/// The arithmetic of prices by unit, on catalogs loaded inside each test: the disjoint parts, their order, what is
/// reported as unpriced, the worst case over output units, exact amounts for any <c>Per</c>, and the usage checks.
/// </summary>
public class UnitArithmeticTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    private static ModelPrice Price(string prices)
    {
        var feed = $$"""[{"id":"acme","models":[{"id":"m","match":{"equals":"m"},"prices":{{prices}}}]}]""";
        return PriceCatalog.Load(new MemoryStream(Encoding.UTF8.GetBytes(feed))).FindPrice("acme", "m", Now);
    }

    [Fact]
    public void Parts_are_listed_most_specific_first_then_by_unit_id()
    {
        var price = Price("""{"web_searches_kcount":10,"output_mtok":15,"input_mtok":3,"cache_write_mtok":3.75,"cache_read_mtok":0.3,"cache_write_1h_mtok":6}""");
        var cost = price.Calculate(new TokenUsage { InputTokens = 10, OutputTokens = 1 });

        cost.Parts.Select(p => p.Unit.Id).Should().Equal(
            "cache_write_1h_tokens", "cache_read_tokens", "cache_write_tokens", "input_tokens", "output_tokens", "web_searches");
    }

    [Fact]
    public void Counts_no_price_covers_are_all_reported_and_zero_counts_are_not()
    {
        // A price with no input price: every input count is unpriced, as are web searches.
        var price = Price("""{"output_mtok":2}""");
        var cost = price.Calculate(new TokenUsage { InputTokens = 100, CachedInputTokens = 10, OutputTokens = 1_000_000, WebSearches = 2 });

        cost.Cost.Should().Be(Money.Usd(2m));
        cost.UnpricedUnits.Should().Equal("input_tokens", "cache_read_tokens", "web_searches");
        price.Calculate(new TokenUsage { OutputTokens = 5 }).UnpricedUnits.Should().BeEmpty("zero counts are not reported");
        price.Calculate(new TokenUsage { OutputTokens = 5 }).IsComplete.Should().BeTrue();
    }

    [Fact]
    public void The_requests_unit_is_never_reported_as_unpriced()
        => Price("""{"input_mtok":1,"output_mtok":1}""").Calculate(new TokenUsage { InputTokens = 1 }).UnpricedUnits.Should().BeEmpty();

    [Fact]
    public void Overlapping_counts_that_no_usage_field_separates_are_refused_when_they_exceed_their_unit()
    {
        // 80 cache writes and 60 image tokens in 100 input tokens: they must overlap, but no count says by how much.
        var price = Price("""{"input_mtok":1,"cache_write_mtok":2,"input_image_mtok":3,"cache_image_write_mtok":4}""");
        var act = () => price.Calculate(new TokenUsage { InputTokens = 100, CacheWriteTokens = 80, InputImageTokens = 60 });

        act.Should().Throw<InvalidUsageException>()
            .WithMessage("Usage is inconsistent for acme/m: the more specific units inside input_tokens (100) add up to 140.");
        var costOnly = () => price.CalculateCost(new TokenUsage { InputTokens = 100, CacheWriteTokens = 80, InputImageTokens = 60 });
        costOnly.Should().Throw<InvalidUsageException>();
    }

    [Fact]
    public void The_worst_case_takes_the_dearest_output_token_unit_and_no_input_price_means_free_input()
    {
        // Output 2 per million, image output 40 per million: the worst case prices every output token at 40.
        var price = Price("""{"output_mtok":2,"output_image_mtok":40,"requests_kcount":1}""");

        price.EstimateMaxCost(1_000_000, 1_000).Should().Be(Money.Usd(0.041m)); // input free, 1,000 x 40 / 1e6, one request 0.001
        price.MaxAffordableOutputTokens(Money.Usd(0.041m), 1_000_000).Should().Be(1_000);
        price.MaxAffordableOutputTokens(Money.Usd(0.040999m), 1_000_000).Should().Be(999);
        price.MaxAffordableOutputTokens(Money.Usd(0.001m), 5).Should().Be(0, "the request price alone takes it all");
        Price("""{"input_mtok":1}""").MaxAffordableOutputTokens(Money.Usd(1m), 10).Should().Be(long.MaxValue, "output is free");
    }

    [Fact]
    public void A_tiered_price_says_so_and_describes_itself()
    {
        var tiered = Price("""{"input_mtok":{"base":1,"tiers":[{"start":100,"price":2}]},"output_mtok":3}""");
        var flat = Price("""{"input_mtok":1,"output_mtok":3}""");

        tiered.HasTiers.Should().BeTrue();
        flat.HasTiers.Should().BeFalse();
        tiered.ToString().Should().Be("acme/m: input_mtok=1 (+tiers), output_mtok=3 USD [Catalog]");
        tiered.InputPerMillion.Should().Be(1m);
        tiered.OutputPerMillion.Should().Be(3m);
        tiered.Find("output_tokens")!.Tiers.Should().BeEmpty();
        tiered.Find("cache_read_tokens").Should().BeNull();
    }

    [Theory]
    [InlineData(1_000_000, "0.000001")]
    [InlineData(1_000, "0.001")]
    [InlineData(10, "0.1")]
    [InlineData(1, "1")]
    [InlineData(3_600, "0")]
    [InlineData(1_000_000_000, "0.000000001")]
    public void One_over_per_is_kept_only_for_powers_of_ten(long per, string scale)
        => UnitPrice.ScaleOf(per).Should().Be(decimal.Parse(scale, System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public void Amounts_are_exact_for_any_per()
    {
        var registry = PriceCatalog.Default.Units;
        registry.TryFind("audio_seconds", out var seconds).Should().BeTrue();
        registry.TryFind("web_searches", out var searches).Should().BeTrue();

        // 0.36 per hour (3,600 seconds): 100 seconds cost exactly 0.01.
        new UnitPrice(seconds!, 0.36m, []).Amount(100, 0.36m).Should().Be(0.01m);
        new UnitPrice(searches!, 10m, []).Amount(3, 10m).Should().Be(0.03m);
        new UnitPrice(searches!, 10m, []).Amount(0, 10m).Should().Be(0m);
    }

    [Fact]
    public void A_marked_price_is_the_same_price_under_another_source()
    {
        var price = Price("""{"input_mtok":1,"output_mtok":3}""");
        price.WithSource(PriceSource.Catalog).Should().BeSameAs(price);
        var marked = price.WithSource(PriceSource.FallbackProvider);
        marked.Should().NotBeSameAs(price);
        marked.Source.Should().Be(PriceSource.FallbackProvider);
        marked.Prices.Should().Equal(price.Prices);
        marked.CalculateCost(new TokenUsage { InputTokens = 1_000_000 }).Should().Be(Money.Usd(1m));
    }

    [Fact]
    public void The_calculator_says_why_a_model_has_no_price_and_marks_the_fallback_price()
    {
        var reject = new CostCalculator(new PricingOptions());
        ((Action)(() => reject.GetPrice("nobody-knows", "gpt-4o", Now))).Should().Throw<UnpricedModelException>().Which.Reason.Should().Be(UnpricedReason.UnknownProvider);
        ((Action)(() => reject.GetPrice("openai", "gpt-nothing", Now))).Should().Throw<UnpricedModelException>().Which.Reason.Should().Be(UnpricedReason.UnknownModel);
        ((Action)(() => reject.GetPrice("azure", "mai-ds-r1:free", Now))).Should().Throw<UnpricedModelException>().Which.Reason.Should().Be(UnpricedReason.ListedWithoutPrice);

        var fallback = new CostCalculator(new PricingOptions
        {
            UnpricedModels = UnpricedModelPolicy.UseFallbackPrice,
            FallbackPrice = new ModelPriceDefinition { InputPerMillion = 1m, OutputPerMillion = 2m },
        });
        var price = fallback.GetPrice("nobody-knows", "gpt-4o", Now);
        price.Provider.Should().Be("*");
        price.ModelId.Should().Be("*");
        price.Source.Should().Be(PriceSource.Fallback);
        fallback.Calculate("nobody-knows", "x", new TokenUsage { InputTokens = 1_000_000 }, Now).UsedFallbackPrice.Should().BeTrue();

        var nothing = () => new CostCalculator(null!);
        nothing.Should().Throw<ArgumentNullException>();
        var invalid = () => new CostCalculator(new PricingOptions { UnpricedModels = UnpricedModelPolicy.UseFallbackPrice });
        invalid.Should().Throw<OptionsValidationException>().WithMessage("*FallbackPrice is not set*");
    }

    [Theory]
    [InlineData("input_tokens", 1)]
    [InlineData("cache_read_tokens", 2)]
    [InlineData("cache_write_tokens", 7)]
    [InlineData("cache_write_5m_tokens", 3)]
    [InlineData("cache_write_1h_tokens", 4)]
    [InlineData("input_audio_tokens", 5)]
    [InlineData("cache_audio_read_tokens", 6)]
    [InlineData("input_image_tokens", 8)]
    [InlineData("cache_image_read_tokens", 9)]
    [InlineData("input_video_tokens", 10)]
    [InlineData("cache_video_read_tokens", 11)]
    [InlineData("output_tokens", 12)]
    [InlineData("output_reasoning_tokens", 13)]
    [InlineData("output_audio_tokens", 14)]
    [InlineData("output_image_tokens", 15)]
    [InlineData("output_video_tokens", 16)]
    [InlineData("output_citation_tokens", 17)]
    [InlineData("web_searches", 18)]
    [InlineData("requests", 1)]
    public void Every_count_answers_to_its_unit_id(string unitId, long expected)
    {
        var usage = new TokenUsage
        {
            InputTokens = 1, CachedInputTokens = 2, CacheWriteTokens = 3, CacheWrite1hTokens = 4, InputAudioTokens = 5,
            CachedAudioInputTokens = 6, InputImageTokens = 8, CachedImageInputTokens = 9, InputVideoTokens = 10,
            CachedVideoInputTokens = 11, OutputTokens = 12, ReasoningTokens = 13, OutputAudioTokens = 14,
            OutputImageTokens = 15, OutputVideoTokens = 16, CitationTokens = 17, WebSearches = 18,
        };
        usage.GetCount(unitId).Should().Be(expected);
        PriceCatalog.Default.Units.TryFind(unitId, out var unit).Should().BeTrue();
        unit!.IsCarriedByUsage.Should().BeTrue();
    }

    [Fact]
    public void A_unit_the_usage_does_not_carry_has_no_count()
    {
        new TokenUsage { InputTokens = 5 }.GetCount("input_text_tokens").Should().BeNull();
        new TokenUsage().GetCount("no_such_unit").Should().BeNull();
        PriceCatalog.Default.Units.TryFind("input_text_tokens", out var text).Should().BeTrue();
        text!.IsCarriedByUsage.Should().BeFalse();
    }

    [Theory]
    [InlineData(10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, null)] // all parts fit
    [InlineData(10, 6, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, null)] // reads + writes = input
    [InlineData(10, 6, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, "Usage is inconsistent: cache reads (6) and cache writes (5) add up to more than the 10 input tokens.")]
    [InlineData(10, 6, 3, 2, 0, 0, 0, 0, 0, 0, 0, 0, "Usage is inconsistent: cache reads (6) and cache writes (5) add up to more than the 10 input tokens.")]
    [InlineData(10, 4, 0, 0, 3, 0, 3, 0, 0, 0, 0, 0, null)] // reads + uncached modalities = input
    [InlineData(10, 4, 0, 0, 3, 0, 3, 0, 1, 0, 0, 0, "Usage is inconsistent: cache reads (4) and uncached audio, image and video input (7) add up to more than the 10 input tokens.")]
    [InlineData(10, 4, 0, 0, 4, 2, 3, 1, 2, 1, 0, 0, null)] // cached modalities counted once
    [InlineData(10, 2, 0, 0, 4, 2, 3, 1, 0, 0, 0, 0, "Usage is inconsistent: cached audio, image and video input tokens (3) is more than CachedInputTokens (2), which contains it.")]
    [InlineData(10, 5, 0, 0, 1, 2, 0, 0, 0, 0, 0, 0, "Usage is inconsistent: CachedAudioInputTokens (2) is more than InputAudioTokens (1), which contains it.")]
    [InlineData(10, 5, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, "Usage is inconsistent: CachedImageInputTokens (2) is more than InputImageTokens (1), which contains it.")]
    [InlineData(10, 5, 0, 0, 0, 0, 0, 0, 1, 2, 0, 0, "Usage is inconsistent: CachedVideoInputTokens (2) is more than InputVideoTokens (1), which contains it.")]
    public void The_parts_of_the_input_must_fit_in_it(
        long input, long reads, long writes5m, long writes1h, long audio, long cachedAudio, long image, long cachedImage, long video, long cachedVideo, long unusedA, long unusedB, string? message)
    {
        _ = (unusedA, unusedB);
        var usage = new TokenUsage
        {
            InputTokens = input, CachedInputTokens = reads, CacheWriteTokens = writes5m, CacheWrite1hTokens = writes1h,
            InputAudioTokens = audio, CachedAudioInputTokens = cachedAudio, InputImageTokens = image,
            CachedImageInputTokens = cachedImage, InputVideoTokens = video, CachedVideoInputTokens = cachedVideo,
        };
        var act = () => usage.Validate();
        if (message is null)
        {
            act.Should().NotThrow();
        }
        else
        {
            act.Should().Throw<InvalidUsageException>().WithMessage(message);
        }
    }

    [Theory]
    [InlineData(15, 1, 2, 3, 4, 5, null)]
    [InlineData(14, 1, 2, 3, 4, 5, "Usage is inconsistent: reasoning (1), audio (2), image (3), video (4) and citation (5) output tokens add up to more than the 14 output tokens.")]
    [InlineData(9, 0, 0, 0, 0, 10, "Usage is inconsistent: reasoning (0), audio (0), image (0), video (0) and citation (10) output tokens add up to more than the 9 output tokens.")]
    public void The_parts_of_the_output_must_fit_in_it(long output, long reasoning, long audio, long image, long video, long citations, string? message)
    {
        var usage = new TokenUsage { OutputTokens = output, ReasoningTokens = reasoning, OutputAudioTokens = audio, OutputImageTokens = image, OutputVideoTokens = video, CitationTokens = citations };
        var act = () => usage.Validate();
        if (message is null)
        {
            act.Should().NotThrow();
        }
        else
        {
            act.Should().Throw<InvalidUsageException>().WithMessage(message);
        }
    }
}
