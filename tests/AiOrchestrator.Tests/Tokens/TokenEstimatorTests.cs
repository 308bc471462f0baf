using AiOrchestrator.Tokens;
using Microsoft.Extensions.AI;

namespace AiOrchestrator.Tests.Tokens;

public class TokenEstimatorTests
{
    [Theory]
    [MemberData(nameof(SampleTexts.All), MemberType = typeof(SampleTexts))]
    public void Never_under_estimates_the_exact_openai_counts(string kind, string text)
    {
        int o200k = ExactTokenCounter.CountTokens(text, TokenizerFamily.O200k);
        int cl100k = ExactTokenCounter.CountTokens(text, TokenizerFamily.Cl100k);

        TokenEstimator.EstimateTokens(text, TokenizerFamily.O200k).Should().BeGreaterThanOrEqualTo(o200k, kind);
        TokenEstimator.EstimateTokens(text, TokenizerFamily.Cl100k).Should().BeGreaterThanOrEqualTo(cl100k, kind);
    }

    [Theory]
    [MemberData(nameof(SampleTexts.All), MemberType = typeof(SampleTexts))]
    public void Does_not_grossly_over_estimate(string kind, string text)
    {
        // Short texts carry the fixed per-text term, and scripts that o200k encodes well (Cyrillic, Arabic) share a
        // coefficient with scripts it encodes poorly; the bound still stays within a few times the real count.
        int o200k = ExactTokenCounter.CountTokens(text, TokenizerFamily.O200k);
        TokenEstimator.EstimateTokens(text, TokenizerFamily.O200k).Should().BeLessThanOrEqualTo((4 * o200k) + 6, kind);
    }

    [Fact]
    public void Adversarial_runs_of_mixed_symbols_stay_close_to_the_exact_count()
    {
        // A known miss of the statistical bound: nothing but short runs of different symbols. Measured at
        // 30 estimated against 31 exact (o200k); kept here so that a refit that makes it worse is noticed.
        string text = "!!! ??? ... --- *** ### @@@ $$$ %%% ^^^ &&& ((( ))) [[[ ]]] {{{ }}} <<< >>> /// \\\\\\ |||";
        int exact = ExactTokenCounter.CountTokens(text, TokenizerFamily.O200k);
        TokenEstimator.EstimateTokens(text, TokenizerFamily.O200k).Should().BeGreaterThanOrEqualTo((int)(0.9 * exact));
    }

    [Fact]
    public void Empty_text_is_zero_tokens_and_any_other_text_at_least_one()
    {
        TokenEstimator.EstimateTokens(ReadOnlySpan<char>.Empty, TokenizerFamily.O200k).Should().Be(0);
        TokenEstimator.EstimateTokens("", TokenizerFamily.Claude).Should().Be(0);
        TokenEstimator.EstimateTokens(" ", TokenizerFamily.O200k).Should().BeGreaterThanOrEqualTo(1);
        TokenEstimator.EstimateTokens("a", TokenizerFamily.Cl100k).Should().BeGreaterThanOrEqualTo(1);
    }

    [Fact]
    public void Huge_input_is_bounded_and_grows_linearly()
    {
        string block = "The quick brown fox jumps over the lazy dog 12345. ";
        string huge = string.Concat(Enumerable.Repeat(block, 200_000)); // about 10 million characters
        int estimate = TokenEstimator.EstimateTokens(huge, TokenizerFamily.O200k);
        int exact = ExactTokenCounter.CountTokens(huge, TokenizerFamily.O200k);

        estimate.Should().BeGreaterThanOrEqualTo(exact);
        estimate.Should().BeLessThan(2 * exact);
    }

    [Fact]
    public void Saturates_instead_of_overflowing()
    {
        TokenMath.Scale(5e12, 1.5).Should().Be(int.MaxValue);
        TokenMath.Scale(20, 1.15).Should().Be(23);
    }

    [Fact]
    public void Fallback_families_apply_their_safety_factor_to_the_base_bound()
    {
        string text = "Please summarise the attached contract and list every obligation with its deadline.";
        double cl100kBound = TokenEstimator.EstimateBaseTokens(text, BaseEncoding.Cl100k);

        TokenEstimator.EstimateTokens(text, TokenizerFamily.Claude).Should().Be((int)Math.Ceiling(cl100kBound * 1.5));
        TokenEstimator.EstimateTokens(text, TokenizerFamily.Qwen).Should().Be((int)Math.Ceiling(cl100kBound * 1.15));
        TokenEstimator.EstimateTokens(text, TokenizerFamily.Claude)
            .Should().BeGreaterThan(TokenEstimator.EstimateTokens(text, TokenizerFamily.Cl100k));
    }

    [Fact]
    public void Input_estimate_covers_the_exact_count_of_a_conversation_with_tools()
    {
        var messages = new List<ChatMessage>
        {
            new(ChatRole.System, "You are a helpful assistant for a travel agency. Answer briefly."),
            new(ChatRole.User, "What's the weather in Paris tomorrow? Also convert 120 EUR to USD."),
            new(ChatRole.Assistant, [new FunctionCallContent("call_1", "get_weather", new Dictionary<string, object?> { ["city"] = "Paris", ["days"] = 1 })]),
            new(ChatRole.Tool, [new FunctionResultContent("call_1", "{\"temp_c\":18,\"sky\":\"cloudy\"}")]),
        };
        var options = new ChatOptions
        {
            Tools = [AIFunctionFactory.Create((string city, int days) => $"{city}:{days}", "get_weather", "Gets the forecast for a city.")],
        };

        int exact = ExactTokenCounter.CountInputTokens(messages, options, "gpt-4o");
        int estimate = TokenEstimator.EstimateInputTokens(messages, options, "gpt-4o");
        int withoutTools = TokenEstimator.EstimateInputTokens(messages, null, "gpt-4o");

        estimate.Should().BeGreaterThanOrEqualTo(exact);
        withoutTools.Should().BeLessThan(estimate, "tool definitions are input too");
        TokenEstimator.EstimateInputTokens(messages, options, "gpt-4o").Should().Be(estimate, "tool costs are cached, not changed");
    }

    [Fact]
    public void Each_message_costs_its_framing_and_images_get_an_allowance()
    {
        int one = ExactTokenCounter.CountInputTokens([new ChatMessage(ChatRole.User, "hello world")], null, "gpt-4o");
        one.Should().Be(ChatTokenCounting.ReplyPriming + ChatTokenCounting.PerMessage + 1 + 2, "\"user\" is 1 token and \"hello world\" 2");

        var image = new ChatMessage(ChatRole.User, [new TextContent("Describe this."), new DataContent(new byte[] { 1, 2, 3 }, "image/png")]);
        TokenEstimator.EstimateInputTokens([image], null, "gpt-4o").Should().BeGreaterThanOrEqualTo(ChatTokenCounting.PerAttachment);
    }

    [Fact]
    public void Model_id_falls_back_to_the_options_model()
    {
        var messages = new[] { new ChatMessage(ChatRole.User, "Summarise this quarter's spending by team.") };
        TokenEstimator.EstimateInputTokens(messages, new ChatOptions { ModelId = "claude-sonnet-4-5" }, null)
            .Should().Be(TokenEstimator.EstimateInputTokens(messages, null, "claude-sonnet-4-5"));
    }
}
