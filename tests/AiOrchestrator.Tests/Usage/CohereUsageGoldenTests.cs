using System.Text;

namespace AiOrchestrator.Tests.Usage;

/// <summary>Cohere Chat v2 usage (billed units, tokens, cached tokens), v1's meta object and the v2 stream's message-end.</summary>
public class CohereUsageGoldenTests
{
    private static byte[] Utf8(string json) => Encoding.UTF8.GetBytes(json);

    [Fact]
    public void Billed_units_are_what_is_charged_and_cached_tokens_are_the_cache_reads()
    {
        var usage = CohereUsage.Parse(Utf8("""
            {"billed_units":{"input_tokens":1830,"output_tokens":412},"tokens":{"input_tokens":2400,"output_tokens":415},"cached_tokens":1024}
            """));

        usage.Should().Be(new TokenUsage { InputTokens = 1830, CachedInputTokens = 1024, OutputTokens = 412 });
    }

    [Fact]
    public void Without_billed_units_the_token_counts_are_read()
    {
        var usage = CohereUsage.Parse(Utf8("""{"tokens":{"input_tokens":71,"output_tokens":29},"cached_tokens":40}"""));
        usage.Should().Be(new TokenUsage { InputTokens = 71, CachedInputTokens = 40, OutputTokens = 29 });
    }

    [Fact]
    public void A_missing_billed_count_falls_back_to_its_token_count()
    {
        var usage = CohereUsage.Parse(Utf8("""{"billed_units":{"input_tokens":9},"tokens":{"input_tokens":70,"output_tokens":29}}"""));
        usage.Should().Be(new TokenUsage { InputTokens = 9, OutputTokens = 29 });
    }

    [Fact]
    public void Cached_tokens_counted_against_the_whole_prompt_are_capped_at_the_billed_input()
    {
        var usage = CohereUsage.Parse(Utf8("""{"billed_units":{"input_tokens":300,"output_tokens":5},"tokens":{"input_tokens":900,"output_tokens":5},"cached_tokens":800}"""));
        usage.Should().Be(new TokenUsage { InputTokens = 300, CachedInputTokens = 300, OutputTokens = 5 });
    }

    [Fact]
    public void Search_units_and_classifications_are_not_tokens()
    {
        var usage = CohereUsage.Parse(Utf8("""{"billed_units":{"input_tokens":12,"output_tokens":3,"search_units":2,"classifications":1}}"""));
        usage.Should().Be(new TokenUsage { InputTokens = 12, OutputTokens = 3 });
    }

    [Fact]
    public void The_v1_meta_object_and_the_v2_stream_message_end_usage_read_like_the_response_usage()
    {
        var response = CohereUsage.Parse(Utf8("""{"billed_units":{"input_tokens":58,"output_tokens":210},"tokens":{"input_tokens":124,"output_tokens":210}}"""));
        var v1Meta = CohereUsage.Parse(Utf8("""{"api_version":{"version":"1"},"billed_units":{"input_tokens":58,"output_tokens":210},"tokens":{"input_tokens":124,"output_tokens":210}}"""));

        response.Should().Be(new TokenUsage { InputTokens = 58, OutputTokens = 210 });
        v1Meta.Should().Be(response);
    }

    [Theory]
    [InlineData("""{"billed_units":""", "Cohere usage is not valid JSON*")]
    [InlineData("""true""", "Cohere usage must be a JSON object, but was True.")]
    [InlineData("""{"cached_tokens":3}""", "Cohere usage has neither billed_units.input_tokens/output_tokens nor tokens.input_tokens/output_tokens.")]
    [InlineData("""{"billed_units":[1]}""", "Usage field 'billed_units' must be a JSON object, but was [1].")]
    [InlineData("""{"billed_units":{"input_tokens":-3,"output_tokens":1}}""", "Usage field 'input_tokens' is negative (-3); token counts must be zero or more.")]
    [InlineData("""{"billed_units":{"input_tokens":3,"output_tokens":1},"cached_tokens":"2"}""", "Usage field 'cached_tokens' must be a whole number, but was \"2\".")]
    public void Malformed_usage_is_rejected_with_a_message_that_says_why(string json, string message)
    {
        var act = () => CohereUsage.Parse(Utf8(json));
        act.Should().Throw<InvalidUsageException>().WithMessage(message);
    }

    [Fact]
    public void A_usage_with_only_input_or_only_output_is_read()
    {
        CohereUsage.Parse(Utf8("""{"billed_units":{"input_tokens":12}}""")).Should().Be(new TokenUsage { InputTokens = 12 });
        CohereUsage.Parse(Utf8("""{"tokens":{"output_tokens":9}}""")).Should().Be(new TokenUsage { OutputTokens = 9 });
    }
}
