using System.Globalization;
using AiOrchestrator.Pricing;

namespace AiOrchestrator.Tests.Pricing;

public class PriceResolutionTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-06-01T12:00:00Z", CultureInfo.InvariantCulture);

    private static ModelPrice Find(string? provider, string model) => PriceCatalog.Default.FindPrice(provider, model, Now);

    [Theory]
    [InlineData("gpt-4o-2024-08-06", "gpt-4o")]
    [InlineData("gpt-4o-2024-05-13", "gpt-4o")]
    [InlineData("o3-2025-04-16", "o3")]
    [InlineData("gpt-4.1-2025-04-14", "gpt-4.1")]
    public void OpenAI_dated_snapshots_resolve_to_their_model(string snapshot, string expected)
        => Find("openai", snapshot).ModelId.Should().Be(expected);

    [Theory]
    [InlineData("claude-3-5-sonnet-20241022", "claude-3-5-sonnet")]
    [InlineData("claude-sonnet-4-5-20250929", "claude-sonnet-4-5")]
    [InlineData("claude-sonnet-4-5@20250929", "claude-sonnet-4-5")]
    [InlineData("claude-3-5-haiku-latest", "claude-3-5-haiku-latest")]
    public void Anthropic_aliases_and_snapshots_resolve_to_their_model(string alias, string expected)
        => Find("anthropic", alias).ModelId.Should().Be(expected);

    [Fact]
    public void An_unlisted_dated_snapshot_falls_back_to_its_base_model()
    {
        // Not listed under this date, but the base id is.
        var price = Find("openai", "gpt-4.1-2031-01-01");
        price.ModelId.Should().Be("gpt-4.1");
        price.InputPerMillion.Should().Be(2m);
    }

    [Fact]
    public void Matching_is_case_insensitive_for_provider_and_model()
    {
        var lower = Find("openai", "gpt-4o");
        Find("OpenAI", "GPT-4o").Should().BeSameAs(lower);
        Find(" openai ", "gpt-4o").Should().BeSameAs(lower);
    }

    [Theory]
    [InlineData("openai", "gpt-4o", "openai")]
    [InlineData("anthropic", "claude-sonnet-4-5", "anthropic")]
    [InlineData("gcp.gemini", "gemini-2.5-pro", "google")]
    [InlineData("gcp.vertex_ai", "gemini-2.5-pro", "google")]
    [InlineData("aws.bedrock", "anthropic.claude-sonnet-5-v1:0", "aws")]
    [InlineData("azure.ai.openai", "o3", "azure")]
    [InlineData("mistral_ai", "mistral-large-latest", "mistral")]
    [InlineData("x_ai", "grok-3", "x-ai")]
    public void Provider_names_reported_by_clients_resolve_to_catalog_providers(string provider, string model, string expected)
        => Find(provider, model).Provider.Should().Be(expected);

    [Fact]
    public void Azure_OpenAI_uses_OpenAI_prices_for_models_Azure_does_not_list()
    {
        var price = Find("azure.ai.openai", "gpt-4o");
        price.Provider.Should().Be("openai");
        price.InputPerMillion.Should().Be(2.5m);
    }

    [Theory]
    [InlineData(null, "gpt-4o", "openai")]
    [InlineData(null, "o4-mini", "openai")]
    [InlineData(null, "claude-3-5-sonnet-20241022", "anthropic")]
    [InlineData(null, "gemini-2.5-pro", "google")]
    [InlineData(null, "deepseek-chat", "deepseek")]
    [InlineData("", "claude-sonnet-4-5", "anthropic")]
    public void A_missing_provider_falls_back_to_the_model_maker_flagged(string? provider, string model, string expected)
    {
        var price = Find(provider, model);
        price.Provider.Should().Be(expected);
        price.Source.Should().Be(PriceSource.ModelMaker);
    }

    [Theory]
    [InlineData("my-gateway", "gpt-4o", UnpricedReason.UnknownProvider)]
    [InlineData("minimax", "gpt-4o", UnpricedReason.UnknownModel)]
    [InlineData("zai", "glm-4-plus", UnpricedReason.UnknownModel)]
    [InlineData("openai", "llama-3.1-70b-versatile", UnpricedReason.UnknownModel)]
    public void A_model_unknown_under_its_provider_is_never_priced_from_another_list(string provider, string model, UnpricedReason reason)
    {
        var act = () => PriceCatalog.Default.FindPrice(provider, model, Now);
        act.Should().Throw<UnpricedModelException>().Which.Reason.Should().Be(reason);
    }

    [Theory]
    [InlineData("azure.ai.openai", "gpt-4o", "openai")]
    [InlineData("azure", "claude-sonnet-4-5", "anthropic")]
    public void Azure_falls_back_to_the_lists_it_declares_and_says_so(string provider, string model, string expected)
    {
        var price = Find(provider, model);
        if (price.Provider != "azure")
        {
            price.Provider.Should().Be(expected);
            price.Source.Should().Be(PriceSource.FallbackProvider);
        }
        else
        {
            price.Source.Should().Be(PriceSource.Catalog);
        }
    }

    [Fact]
    public void Gemini_models_prefix_is_accepted()
        => Find("gcp.gemini", "models/gemini-2.5-pro").ModelId.Should().Be("gemini-2.5-pro");

    [Fact]
    public void Repeated_lookups_return_the_same_cached_price()
    {
        var catalog = PriceCatalog.Default;
        catalog.TryFindPrice("openai", "gpt-4o-mini", Now, out var first).Should().BeTrue();
        catalog.TryFindPrice("openai", "gpt-4o-mini", Now, out var second).Should().BeTrue();
        second.Should().BeSameAs(first);
    }

    [Fact]
    public void A_model_the_catalog_lists_without_prices_is_unpriced()
    {
        // OpenAI lists moderation models with no prices: that is "no price", not a price of zero.
        PriceCatalog.Default.TryFindPrice("openai", "omni-moderation-latest", Now, out _).Should().BeFalse();
    }

    [Fact]
    public void An_unknown_model_has_no_price_and_the_throwing_lookup_says_how_to_add_one()
    {
        PriceCatalog.Default.TryFindPrice("openai", "totally-made-up-model", Now, out var price).Should().BeFalse();
        price.Should().BeNull();

        var act = () => PriceCatalog.Default.FindPrice("openai", "totally-made-up-model", Now);
        act.Should().Throw<UnpricedModelException>()
            .Where(e => e.Provider == "openai" && e.ModelId == "totally-made-up-model");
    }
}
