using System.Text;
using AiOrchestrator.Http.Wire;

namespace AiOrchestrator.Http.Tests.Wire;

/// <summary>The handler's one-pass usage reader gives exactly what the core's parsers give.</summary>
public class UsageReaderTests
{
    [Theory]
    [InlineData("""{"prompt_tokens":2006,"completion_tokens":300,"total_tokens":2306,"prompt_tokens_details":{"cached_tokens":1920,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}""")]
    [InlineData("""{"prompt_tokens":10,"completion_tokens":5,"total_tokens":15}""")]
    [InlineData("""{"input_tokens":100,"input_tokens_details":{"cached_tokens":40},"output_tokens":80,"output_tokens_details":{"reasoning_tokens":30},"total_tokens":180}""")]
    [InlineData("""{"prompt_tokens":100,"completion_tokens":20,"prompt_cache_hit_tokens":64,"prompt_cache_miss_tokens":36}""")]
    [InlineData("""{"prompt_tokens":100,"completion_tokens":20,"prompt_tokens_details":{"cached_tokens":10},"prompt_cache_hit_tokens":64}""")]
    [InlineData("""{"prompt_tokens":100,"completion_tokens":50,"prompt_tokens_details":{"audio_tokens":30},"completion_tokens_details":{"audio_tokens":20,"reasoning_tokens":10}}""")]
    [InlineData("""{"prompt_tokens":null,"input_tokens":7,"completion_tokens":3,"prompt_tokens_details":null}""")]
    [InlineData("""{"completion_tokens":3}""")]
    public void OpenAI_usage_reads_as_the_core_parser_reads_it(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);

        UsageReader.TryRead(bytes, WireFormat.OpenAIChat).Should().Be(OpenAIUsage.Parse(bytes));
    }

    [Theory]
    [InlineData("""{"input_tokens":50,"cache_creation_input_tokens":3000,"cache_read_input_tokens":10000,"cache_creation":{"ephemeral_5m_input_tokens":1000,"ephemeral_1h_input_tokens":2000},"output_tokens":400,"service_tier":"standard"}""")]
    [InlineData("""{"input_tokens":50,"cache_creation_input_tokens":3000,"cache_read_input_tokens":10000,"output_tokens":400}""")]
    [InlineData("""{"output_tokens":400}""")]
    [InlineData("""{"input_tokens":12,"output_tokens":4,"server_tool_use":{"web_search_requests":1,"input_tokens":999},"output_tokens_details":{"thinking_tokens":2}}""")]
    public void Anthropic_usage_reads_as_the_core_parser_reads_it(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);

        UsageReader.TryRead(bytes, WireFormat.AnthropicMessages).Should().Be(AnthropicUsage.Parse(bytes));
    }

    [Theory]
    [InlineData("""{"prompt_tokens":"12","completion_tokens":3}""")]
    [InlineData("""{"prompt_tokens":-1,"completion_tokens":3}""")]
    [InlineData("""{"prompt_tokens":1.5,"completion_tokens":3}""")]
    [InlineData("""{"total_tokens":3}""")]
    public void Unusual_usage_is_left_to_the_core_parser(string json)
        => UsageReader.TryRead(Encoding.UTF8.GetBytes(json), WireFormat.OpenAIChat).Should().BeNull();

    [Fact]
    public void Inconsistent_counts_throw_as_the_core_parser_does()
    {
        var bytes = Encoding.UTF8.GetBytes("""{"prompt_tokens":10,"completion_tokens":3,"prompt_tokens_details":{"cached_tokens":20}}""");

        FluentActions.Invoking(() => UsageReader.TryRead(bytes, WireFormat.OpenAIChat)).Should().Throw<InvalidUsageException>();
        FluentActions.Invoking(() => OpenAIUsage.Parse(bytes)).Should().Throw<InvalidUsageException>();
    }
}
