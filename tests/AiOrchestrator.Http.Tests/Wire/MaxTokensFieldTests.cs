using System.Text;
using AiOrchestrator.Http.Wire;

namespace AiOrchestrator.Http.Tests.Wire;

public class MaxTokensFieldTests
{
    [Theory]
    [InlineData("""{"model":"gpt-4o","max_tokens":1000,"messages":[]}""", """{"model":"gpt-4o","max_tokens":42,"messages":[]}""")]
    [InlineData("""{"max_completion_tokens":7,"max_tokens":9}""", """{"max_completion_tokens":42,"max_tokens":42}""")]
    [InlineData("""{ "model" : "x", "max_output_tokens" : 123456 }""", """{ "model" : "x", "max_output_tokens" : 42 }""")]
    [InlineData("""{"tools":[{"max_tokens":5}],"max_tokens":100}""", """{"tools":[{"max_tokens":5}],"max_tokens":42}""")]
    public void Every_top_level_cap_gets_the_new_value_and_nothing_else_changes(string body, string expected)
        => Encoding.UTF8.GetString(MaxTokensField.Rewrite(Encoding.UTF8.GetBytes(body), WireFormat.OpenAIChat, 42)).Should().Be(expected);

    [Theory]
    [InlineData(0, """{"model":"gpt-4o","max_completion_tokens":42}""")]
    [InlineData(1, """{"model":"gpt-4o","max_output_tokens":42}""")]
    [InlineData(2, """{"model":"gpt-4o","max_tokens":42}""")]
    public void A_body_without_a_cap_gets_the_field_its_api_reads(int api, string expected)
    {
        WireFormat[] formats = [WireFormat.OpenAIChat, WireFormat.OpenAIResponses, WireFormat.AnthropicMessages];
        Encoding.UTF8.GetString(MaxTokensField.Rewrite("""{"model":"gpt-4o"}"""u8, formats[api], 42)).Should().Be(expected);
    }

    [Fact]
    public void An_empty_object_gets_the_field_without_a_comma()
        => Encoding.UTF8.GetString(MaxTokensField.Rewrite("{}"u8, WireFormat.OpenAIChat, 42)).Should().Be("""{"max_completion_tokens":42}""");
}
