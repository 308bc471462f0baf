using System.Text;

namespace AiOrchestrator.Tests.Usage;

public class ProviderUsageJsonTests
{
    private static byte[] Utf8(string json) => Encoding.UTF8.GetBytes(json);

    [Fact]
    public void OpenAI_chat_usage_keeps_cached_and_reasoning_inside_the_totals()
    {
        var usage = OpenAIUsage.Parse(Utf8("""
            {"prompt_tokens":2006,"completion_tokens":300,"total_tokens":2306,
             "prompt_tokens_details":{"cached_tokens":1920,"audio_tokens":0},
             "completion_tokens_details":{"reasoning_tokens":192,"audio_tokens":0,"accepted_prediction_tokens":0}}
            """));

        usage.Should().Be(new TokenUsage { InputTokens = 2006, CachedInputTokens = 1920, OutputTokens = 300, ReasoningTokens = 192 });
        (usage.InputTokens - usage.CachedInputTokens - usage.AllCacheWriteTokens).Should().Be(86);
        (usage.OutputTokens - usage.ReasoningTokens).Should().Be(108);
    }

    [Fact]
    public void OpenAI_responses_api_usage_is_read_with_its_own_names()
    {
        var usage = OpenAIUsage.Parse(Utf8("""
            {"input_tokens":1500,"input_tokens_details":{"cached_tokens":1024},
             "output_tokens":700,"output_tokens_details":{"reasoning_tokens":512},"total_tokens":2200}
            """));

        usage.Should().Be(new TokenUsage { InputTokens = 1500, CachedInputTokens = 1024, OutputTokens = 700, ReasoningTokens = 512 });
    }

    [Fact]
    public void DeepSeek_cache_hit_tokens_are_read_as_cached_input()
    {
        var usage = OpenAIUsage.Parse(Utf8("""{"prompt_tokens":1000,"completion_tokens":50,"prompt_cache_hit_tokens":640,"prompt_cache_miss_tokens":360}"""));
        usage.CachedInputTokens.Should().Be(640);
        usage.InputTokens.Should().Be(1000);
    }

    [Fact]
    public void Anthropic_usage_adds_cache_reads_and_writes_back_into_the_input()
    {
        var usage = AnthropicUsage.Parse(Utf8("""
            {"input_tokens":50,"cache_creation_input_tokens":3000,"cache_read_input_tokens":10000,"output_tokens":400,
             "cache_creation":{"ephemeral_5m_input_tokens":1000,"ephemeral_1h_input_tokens":2000}}
            """));

        usage.Should().Be(new TokenUsage
        {
            InputTokens = 13050,
            CachedInputTokens = 10000,
            CacheWriteTokens = 1000,
            CacheWrite1hTokens = 2000,
            OutputTokens = 400,
        });
        (usage.InputTokens - usage.CachedInputTokens - usage.AllCacheWriteTokens).Should().Be(50);
    }

    [Fact]
    public void Anthropic_cache_creation_without_split_is_a_five_minute_write()
    {
        var usage = AnthropicUsage.Parse(Utf8("""{"input_tokens":10,"cache_creation_input_tokens":2048,"output_tokens":5}"""));
        usage.CacheWriteTokens.Should().Be(2048);
        usage.CacheWrite1hTokens.Should().Be(0);
        usage.InputTokens.Should().Be(2058);
    }

    [Fact]
    public void Anthropic_stream_usage_merges_message_start_with_the_cumulative_message_delta()
    {
        var start = AnthropicUsage.Parse(Utf8("""{"input_tokens":25,"cache_read_input_tokens":4000,"output_tokens":1}"""));
        var delta = AnthropicUsage.Parse(Utf8("""{"output_tokens":512}"""));

        var merged = AnthropicUsage.Merge(start, delta);

        merged.Should().Be(new TokenUsage { InputTokens = 4025, CachedInputTokens = 4000, OutputTokens = 512 });
    }

    [Fact]
    public void Anthropic_merge_keeps_the_cache_write_split_when_the_delta_reports_only_the_total()
    {
        var start = AnthropicUsage.Parse(Utf8("""
            {"input_tokens":50,"cache_creation_input_tokens":3000,"cache_read_input_tokens":100,"output_tokens":1,
             "cache_creation":{"ephemeral_5m_input_tokens":1000,"ephemeral_1h_input_tokens":2000}}
            """));
        var delta = AnthropicUsage.Parse(Utf8("""{"input_tokens":50,"cache_creation_input_tokens":3000,"cache_read_input_tokens":100,"output_tokens":400}"""));

        var merged = AnthropicUsage.Merge(start, delta);

        merged.Should().Be(new TokenUsage { InputTokens = 3150, CachedInputTokens = 100, CacheWriteTokens = 1000, CacheWrite1hTokens = 2000, OutputTokens = 400 });
    }

    [Fact]
    public void Gemini_thinking_tokens_are_billed_as_output()
    {
        var usage = GeminiUsage.Parse(Utf8("""
            {"promptTokenCount":1200,"candidatesTokenCount":300,"thoughtsTokenCount":700,"cachedContentTokenCount":1000,"totalTokenCount":2200}
            """));

        usage.Should().Be(new TokenUsage { InputTokens = 1200, CachedInputTokens = 1000, OutputTokens = 1000, ReasoningTokens = 700 });
    }

    [Theory]
    [InlineData("""{"prompt_tokens":10,"completion_tokens":""", "not valid JSON")]
    [InlineData("""[1,2]""", "must be a JSON object")]
    [InlineData("""{"prompt_tokens":-5,"completion_tokens":3}""", "negative")]
    [InlineData("""{"prompt_tokens":"ten","completion_tokens":3}""", "whole number")]
    [InlineData("""{"prompt_tokens":1.5,"completion_tokens":3}""", "whole number")]
    [InlineData("""{"prompt_tokens":99999999999,"completion_tokens":3}""", "corrupt")]
    [InlineData("""{"prompt_tokens":10,"completion_tokens":3,"prompt_tokens_details":{"cached_tokens":11}}""", "inconsistent")]
    [InlineData("""{"total_tokens":13}""", "neither")]
    public void Malformed_OpenAI_usage_gets_a_clear_error(string json, string expected)
    {
        var act = () => OpenAIUsage.Parse(Utf8(json));
        act.Should().Throw<InvalidUsageException>().WithMessage($"*{expected}*");
    }

    [Fact]
    public void Anthropic_cache_split_that_disagrees_with_its_total_is_rejected()
    {
        var act = () => AnthropicUsage.Parse(Utf8("""
            {"input_tokens":1,"cache_creation_input_tokens":100,"output_tokens":1,"cache_creation":{"ephemeral_5m_input_tokens":10,"ephemeral_1h_input_tokens":20}}
            """));
        act.Should().Throw<InvalidUsageException>().WithMessage("*do not add up*");
    }

    [Fact]
    public void Token_usage_validation_names_the_bad_field()
    {
        var act = () => new TokenUsage { InputTokens = 10, OutputTokens = 5, ReasoningTokens = 6 }.Validate();
        act.Should().Throw<InvalidUsageException>().WithMessage("*reasoning (6)*more than the 5 output tokens*");
    }
}
