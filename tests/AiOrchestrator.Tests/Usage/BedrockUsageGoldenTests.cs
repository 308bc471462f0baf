using System.Text;

namespace AiOrchestrator.Tests.Usage;

/// <summary>AWS Bedrock Converse and ConverseStream usage, as documented (TokenUsage, CacheDetail, the metadata event).</summary>
public class BedrockUsageGoldenTests
{
    private const string Usage = """
        {"inputTokens":150,"outputTokens":620,"totalTokens":9770,"cacheReadInputTokens":6000,"cacheWriteInputTokens":3000,
         "cacheDetails":[{"ttl":"1h","inputTokens":2200},{"ttl":"5m","inputTokens":800}]}
        """;

    private static readonly TokenUsage Expected = new()
    {
        InputTokens = 150 + 6000 + 3000,
        CachedInputTokens = 6000,
        CacheWriteTokens = 800,
        CacheWrite1hTokens = 2200,
        OutputTokens = 620,
    };

    private static byte[] Utf8(string json) => Encoding.UTF8.GetBytes(json);

    [Fact]
    public void Cache_reads_and_writes_are_added_to_the_input_and_writes_split_by_lifetime()
    {
        BedrockUsage.Parse(Utf8(Usage)).Should().Be(Expected);
    }

    [Fact]
    public void A_converse_response_and_a_converse_stream_metadata_event_give_the_same_usage()
    {
        var buffered = BedrockUsage.Parse(Utf8($$$"""
            {"output":{"message":{"role":"assistant","content":[{"text":"Hello"}]}},"stopReason":"end_turn",
             "usage":{{{Usage}}},"metrics":{"latencyMs":1375}}
            """));
        var streamedPayload = BedrockUsage.Parse(Utf8($$$"""{"usage":{{{Usage}}},"metrics":{"latencyMs":1375}}"""));
        var streamedEvent = BedrockUsage.Parse(Utf8("""{"metadata":{"usage":""" + Usage + ""","metrics":{"latencyMs":1375}}}"""));

        buffered.Should().Be(Expected);
        streamedPayload.Should().Be(Expected);
        streamedEvent.Should().Be(Expected);
    }

    [Fact]
    public void Writes_without_details_are_five_minute_writes()
    {
        var usage = BedrockUsage.Parse(Utf8("""{"inputTokens":10,"outputTokens":20,"totalTokens":1054,"cacheWriteInputTokens":1024}"""));
        usage.Should().Be(new TokenUsage { InputTokens = 1034, CacheWriteTokens = 1024, OutputTokens = 20 });
    }

    [Fact]
    public void Details_without_a_write_total_are_the_writes_and_empty_details_state_no_lifetime()
    {
        BedrockUsage.Parse(Utf8("""{"inputTokens":10,"outputTokens":20,"cacheDetails":[{"ttl":"1h","inputTokens":64},{"ttl":"5m","inputTokens":32}]}"""))
            .Should().Be(new TokenUsage { InputTokens = 106, CacheWriteTokens = 32, CacheWrite1hTokens = 64, OutputTokens = 20 });
        BedrockUsage.Parse(Utf8("""{"inputTokens":10,"outputTokens":20,"cacheWriteInputTokens":50,"cacheDetails":[]}"""))
            .Should().Be(new TokenUsage { InputTokens = 60, CacheWriteTokens = 50, OutputTokens = 20 });
    }

    [Fact]
    public void Plain_usage_has_only_input_and_output()
    {
        BedrockUsage.Parse(Utf8("""{"inputTokens":25,"outputTokens":11,"totalTokens":36}"""))
            .Should().Be(new TokenUsage { InputTokens = 25, OutputTokens = 11 });
    }

    [Theory]
    [InlineData("""{"inputTokens":""", "Bedrock usage is not valid JSON*")]
    [InlineData("""[]""", "Bedrock usage must be a JSON object, but was Array.")]
    [InlineData("""{"totalTokens":5}""", "Bedrock usage has neither inputTokens nor outputTokens.")]
    [InlineData("""{"metrics":{"latencyMs":3}}""", "Bedrock usage has neither inputTokens nor outputTokens.")]
    [InlineData("""{"inputTokens":1,"outputTokens":-1}""", "Usage field 'outputTokens' is negative (-1); token counts must be zero or more.")]
    [InlineData("""{"inputTokens":1,"outputTokens":1,"totalTokens":"2"}""", "Usage field 'totalTokens' must be a whole number, but was \"2\".")]
    [InlineData("""{"inputTokens":1,"outputTokens":1,"cacheDetails":{"ttl":"1h"}}""", "Usage field 'cacheDetails' must be a JSON array, but was {\"ttl\":\"1h\"}.")]
    [InlineData("""{"inputTokens":1,"outputTokens":1,"cacheDetails":[5]}""", "Each entry of Bedrock usage field 'cacheDetails' must be a JSON object, but was Number.")]
    [InlineData("""{"inputTokens":1,"outputTokens":1,"cacheDetails":[{"ttl":"24h","inputTokens":5}]}""", "Bedrock usage has a cacheDetails entry with ttl '24h'; expected '5m' or '1h'.")]
    [InlineData("""{"inputTokens":1,"outputTokens":1,"cacheDetails":[{"inputTokens":5}]}""", "Bedrock usage has a cacheDetails entry with ttl missing; expected '5m' or '1h'.")]
    [InlineData("""{"inputTokens":1,"outputTokens":1,"cacheDetails":[{"ttl":5,"inputTokens":5}]}""", "Bedrock usage has a cacheDetails entry with ttl missing; expected '5m' or '1h'.")]
    [InlineData("""{"inputTokens":1,"outputTokens":1,"cacheWriteInputTokens":100,"cacheDetails":[{"ttl":"1h","inputTokens":60},{"ttl":"5m","inputTokens":30}]}""", "Bedrock usage is inconsistent: cacheDetails (30 five-minute + 60 one-hour) do not add up to cacheWriteInputTokens (100).")]
    public void Malformed_or_inconsistent_usage_is_rejected_with_a_message_that_says_why(string json, string message)
    {
        var act = () => BedrockUsage.Parse(Utf8(json));
        act.Should().Throw<InvalidUsageException>().WithMessage(message);
    }

    [Fact]
    public void A_usage_with_only_input_or_only_output_is_read()
    {
        BedrockUsage.Parse(Utf8("""{"inputTokens":12}""")).Should().Be(new TokenUsage { InputTokens = 12 });
        BedrockUsage.Parse(Utf8("""{"metadata":{"usage":{"outputTokens":7}}}""")).Should().Be(new TokenUsage { OutputTokens = 7 });
    }

    [Fact]
    public void Writes_split_evenly_between_lifetimes_keep_the_split()
    {
        var usage = BedrockUsage.Parse(Utf8("""
            {"inputTokens":10,"outputTokens":20,"cacheWriteInputTokens":1000,"cacheDetails":[{"ttl":"5m","inputTokens":500},{"ttl":"1h","inputTokens":500}]}
            """));

        usage.Should().Be(new TokenUsage { InputTokens = 1010, CacheWriteTokens = 500, CacheWrite1hTokens = 500, OutputTokens = 20 });
    }
}
