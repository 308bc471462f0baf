using System.Text;
using System.Text.Json;
using AiOrchestrator.Tests.Providers;

namespace AiOrchestrator.Tests.Usage;

/// <summary>
/// Anthropic's documented Messages usage: cache reads and writes outside input_tokens, the 5-minute/1-hour write
/// split, thinking tokens, server tool use (web search counted, web fetch ignored); a stream's message_start merged
/// with its message_delta gives the buffered usage.
/// </summary>
public class AnthropicUsageGoldenTests
{
    private static readonly AnthropicWireUsage Full = new(
        InputTokens: 120,
        OutputTokens: 900,
        CacheReadTokens: 7000,
        CacheWrite5mTokens: 300,
        CacheWrite1hTokens: 1500,
        ThinkingTokens: 640,
        WebSearchRequests: 3);

    private static readonly TokenUsage FullExpected = new()
    {
        InputTokens = 120 + 7000 + 300 + 1500,
        CachedInputTokens = 7000,
        CacheWriteTokens = 300,
        CacheWrite1hTokens = 1500,
        OutputTokens = 900,
        ReasoningTokens = 640,
        WebSearches = 3,
    };

    private static byte[] Utf8(string json) => Encoding.UTF8.GetBytes(json);

    [Fact]
    public void Buffered_usage_reads_every_unit()
    {
        Buffered(AnthropicWire.Message("claude-sonnet-4-5", "Hello", Full)).Should().Be(FullExpected);
    }

    [Fact]
    public void Documented_usage_with_web_search_and_web_fetch_counts_only_the_searches()
    {
        var usage = AnthropicUsage.Parse(Utf8("""
            {"input_tokens":2095,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":503,
             "server_tool_use":{"web_search_requests":1,"web_fetch_requests":4},"service_tier":"standard"}
            """));

        usage.Should().Be(new TokenUsage { InputTokens = 2095, OutputTokens = 503, WebSearches = 1 });
    }

    [Fact]
    public void One_hour_writes_alone_are_all_one_hour()
    {
        var usage = AnthropicUsage.Parse(Utf8("""
            {"input_tokens":5,"cache_creation_input_tokens":4096,"output_tokens":7,
             "cache_creation":{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":4096}}
            """));

        usage.Should().Be(new TokenUsage { InputTokens = 4101, CacheWrite1hTokens = 4096, OutputTokens = 7 });
    }

    [Fact]
    public void A_split_without_its_total_is_the_total()
    {
        var usage = AnthropicUsage.Parse(Utf8("""
            {"input_tokens":5,"output_tokens":7,"cache_creation":{"ephemeral_5m_input_tokens":30,"ephemeral_1h_input_tokens":20}}
            """));

        usage.Should().Be(new TokenUsage { InputTokens = 55, CacheWriteTokens = 30, CacheWrite1hTokens = 20, OutputTokens = 7 });
    }

    [Fact]
    public void A_split_of_zeros_beside_a_total_states_no_lifetime_so_the_writes_are_five_minute_writes()
    {
        var usage = AnthropicUsage.Parse(Utf8("""
            {"input_tokens":5,"cache_creation_input_tokens":2048,"output_tokens":7,
             "cache_creation":{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":0}}
            """));

        usage.Should().Be(new TokenUsage { InputTokens = 2053, CacheWriteTokens = 2048, OutputTokens = 7 });
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_stream_merged_from_message_start_and_message_delta_equals_the_buffered_usage(bool cumulativeDelta)
    {
        var shape = cumulativeDelta ? AnthropicDeltaUsage.Cumulative : AnthropicDeltaUsage.OutputOnly;
        var streamed = Streamed(AnthropicWire.MessageStream("claude-sonnet-4-5", ["Hel", "lo"], Full, shape));

        // An output-only delta (the streaming guide's shape) carries no output_tokens_details: no thinking count to read.
        streamed.Should().Be(cumulativeDelta ? FullExpected : FullExpected with { ReasoningTokens = 0 });
    }

    [Fact]
    public void A_cumulative_delta_after_server_tools_replaces_the_start_counts_and_keeps_the_start_split()
    {
        // Web search results add input after message_start; the delta carries the final counts without the split.
        var start = new AnthropicWireUsage(100, 1, CacheReadTokens: 2000, CacheWrite5mTokens: 400, CacheWrite1hTokens: 600);
        var final = new AnthropicWireUsage(1900, 700, CacheReadTokens: 2000, CacheWrite5mTokens: 400, CacheWrite1hTokens: 600, ThinkingTokens: 250, WebSearchRequests: 2);

        var streamed = Streamed(AnthropicWire.MessageStream("claude-sonnet-4-5", ["a"], final, AnthropicDeltaUsage.Cumulative, startUsage: start));

        streamed.Should().Be(new TokenUsage
        {
            InputTokens = 1900 + 2000 + 1000,
            CachedInputTokens = 2000,
            CacheWriteTokens = 400,
            CacheWrite1hTokens = 600,
            OutputTokens = 700,
            ReasoningTokens = 250,
            WebSearches = 2,
        });
        streamed.Should().Be(Buffered(AnthropicWire.Message("claude-sonnet-4-5", "a", final)));
    }

    [Fact]
    public void Merge_takes_each_count_from_the_later_cumulative_event_and_never_sums()
    {
        var start = new TokenUsage { InputTokens = 500, CachedInputTokens = 100, CacheWriteTokens = 50, CacheWrite1hTokens = 150, OutputTokens = 1, WebSearches = 1 };
        var delta = new TokenUsage { InputTokens = 800, CachedInputTokens = 100, CacheWriteTokens = 200, OutputTokens = 90, ReasoningTokens = 40, WebSearches = 4 };

        AnthropicUsage.Merge(start, delta).Should().Be(new TokenUsage
        {
            InputTokens = 800,
            CachedInputTokens = 100,
            CacheWriteTokens = 50,
            CacheWrite1hTokens = 150,
            OutputTokens = 90,
            ReasoningTokens = 40,
            WebSearches = 4,
        });
    }

    [Fact]
    public void Merge_takes_the_larger_cache_writes_as_a_pair()
    {
        var start = new TokenUsage { InputTokens = 500, CacheWriteTokens = 50, CacheWrite1hTokens = 150, OutputTokens = 1 };
        var larger = new TokenUsage { InputTokens = 600, CacheWriteTokens = 300, OutputTokens = 9 };
        var smaller = new TokenUsage { InputTokens = 600, CacheWriteTokens = 20, CacheWrite1hTokens = 30, OutputTokens = 9 };

        AnthropicUsage.Merge(start, larger).Should().Be(new TokenUsage { InputTokens = 600, CacheWriteTokens = 300, OutputTokens = 9 });
        AnthropicUsage.Merge(start, smaller).Should().Be(new TokenUsage { InputTokens = 600, CacheWriteTokens = 50, CacheWrite1hTokens = 150, OutputTokens = 9 });
        AnthropicUsage.Merge(start with { CacheWrite1hTokens = 0, CacheWriteTokens = 200 }, start with { OutputTokens = 5 })
            .Should().Be(start with { OutputTokens = 5 }, "with equal totals, the event that states one-hour writes wins");
    }

    [Fact]
    public void Merge_keeps_every_other_count_and_the_estimate_flag()
    {
        var start = new TokenUsage
        {
            InputTokens = 1000, CachedInputTokens = 300, InputAudioTokens = 50, CachedAudioInputTokens = 20, InputImageTokens = 60,
            CachedImageInputTokens = 30, InputVideoTokens = 70, CachedVideoInputTokens = 40, OutputTokens = 10, IsEstimated = true,
        };
        var delta = new TokenUsage { OutputTokens = 400, OutputAudioTokens = 11, OutputImageTokens = 12, OutputVideoTokens = 13, CitationTokens = 14 };

        AnthropicUsage.Merge(start, delta).Should().Be(start with
        {
            OutputTokens = 400, OutputAudioTokens = 11, OutputImageTokens = 12, OutputVideoTokens = 13, CitationTokens = 14,
        });
        AnthropicUsage.Merge(delta, start).IsEstimated.Should().BeTrue();
    }

    [Theory]
    [InlineData("""{"input_tokens":1,""", "Anthropic usage is not valid JSON*")]
    [InlineData("""null""", "Anthropic usage must be a JSON object, but was Null.")]
    [InlineData("""{"cache_read_input_tokens":5}""", "Anthropic usage has neither input_tokens nor output_tokens.")]
    [InlineData("""{"input_tokens":1,"output_tokens":1,"server_tool_use":{"web_search_requests":-2}}""", "Usage field 'web_search_requests' is negative (-2); token counts must be zero or more.")]
    [InlineData("""{"input_tokens":1,"output_tokens":1,"server_tool_use":{"web_fetch_requests":"x"}}""", "Usage field 'web_fetch_requests' must be a whole number, but was \"x\".")]
    [InlineData("""{"input_tokens":1,"output_tokens":1,"server_tool_use":3}""", "Usage field 'server_tool_use' must be a JSON object, but was 3.")]
    [InlineData("""{"input_tokens":1,"output_tokens":1,"cache_creation":[]}""", "Usage field 'cache_creation' must be a JSON object, but was [].")]
    [InlineData("""{"input_tokens":1,"output_tokens":2,"output_tokens_details":{"thinking_tokens":3}}""", "*reasoning (3)*more than the 2 output tokens.")]
    [InlineData("""{"input_tokens":1,"cache_creation_input_tokens":100,"output_tokens":1,"cache_creation":{"ephemeral_5m_input_tokens":10,"ephemeral_1h_input_tokens":20}}""", "Anthropic usage is inconsistent: cache_creation splits (10 + 20) do not add up to cache_creation_input_tokens (100).")]
    public void Malformed_or_inconsistent_usage_is_rejected_with_a_message_that_says_why(string json, string message)
    {
        var act = () => AnthropicUsage.Parse(Utf8(json));
        act.Should().Throw<InvalidUsageException>().WithMessage(message);
    }

    internal static TokenUsage Buffered(string body)
    {
        using var document = JsonDocument.Parse(body);
        return AnthropicUsage.Parse(document.RootElement.GetProperty("usage"));
    }

    /// <summary>message_start's usage merged with message_delta's, as a stream reader does.</summary>
    internal static TokenUsage Streamed(string sse)
    {
        TokenUsage? start = null;
        TokenUsage? merged = null;
        foreach (var line in sse.Split('\n'))
        {
            if (!line.StartsWith("data: ", StringComparison.Ordinal))
            {
                continue;
            }

            using var document = JsonDocument.Parse(line["data: ".Length..]);
            var root = document.RootElement;
            switch (root.GetProperty("type").GetString())
            {
                case "message_start":
                    start = AnthropicUsage.Parse(root.GetProperty("message").GetProperty("usage"));
                    break;
                case "message_delta":
                    var delta = AnthropicUsage.Parse(root.GetProperty("usage"));
                    merged = start is { } s ? AnthropicUsage.Merge(s, delta) : delta;
                    break;
            }
        }

        return merged!.Value;
    }

    [Fact]
    public void Merge_with_equal_write_totals_both_split_takes_the_later_split()
    {
        var start = new TokenUsage { InputTokens = 1000, CacheWriteTokens = 100, CacheWrite1hTokens = 200, OutputTokens = 1 };
        var delta = new TokenUsage { InputTokens = 1000, CacheWriteTokens = 50, CacheWrite1hTokens = 250, OutputTokens = 9 };

        AnthropicUsage.Merge(start, delta).Should().Be(delta);
    }
}
