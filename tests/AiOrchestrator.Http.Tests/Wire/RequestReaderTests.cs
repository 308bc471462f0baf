using System.Text;
using AiOrchestrator.Http.Wire;
using AiOrchestrator.Tokens;

namespace AiOrchestrator.Http.Tests.Wire;

public class RequestReaderTests
{
    private static RequestFacts Read(string json) => RequestReader.Read(Encoding.UTF8.GetBytes(json));

    [Theory]
    [InlineData("""{"model":"gpt-4o","max_tokens":100,"messages":[]}""", 100L)]
    [InlineData("""{"model":"gpt-4o","max_completion_tokens":200,"messages":[]}""", 200L)]
    [InlineData("""{"model":"gpt-4o","max_output_tokens":300,"input":"hi"}""", 300L)]
    [InlineData("""{"model":"gpt-4o","max_tokens":100,"max_completion_tokens":250}""", 250L)]
    [InlineData("""{"model":"gpt-4o","max_tokens":null}""", null)]
    [InlineData("""{"model":"gpt-4o","metadata":{"max_tokens":5}}""", null)]
    public void Reads_the_largest_top_level_max_tokens_field(string json, long? expected)
        => Read(json).MaxOutputTokens.Should().Be(expected);

    [Fact]
    public void Reads_the_model_and_stream_flag_only_from_the_top_level()
    {
        var facts = Read("""{"messages":[{"role":"user","content":"model"}],"metadata":{"model":"other","stream":true},"model":"claude-sonnet-4-5","stream":true}""");

        facts.Model.Should().Be("claude-sonnet-4-5");
        facts.Stream.Should().BeTrue();
        Read("""{"model":"m","stream":false}""").Stream.Should().BeFalse();
    }

    [Fact]
    public void Counts_message_text_and_framing_and_an_allowance_per_image_instead_of_its_base64()
    {
        var image = new string('A', 100_000);
        var facts = Read($$$"""{"model":"gpt-4o","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":[{"type":"text","text":"What is in this picture?"},{"type":"image_url","image_url":{"url":"data:image/png;base64,{{{image}}}"}}]}]}""");

        facts.Items.Should().Be(2);
        facts.Attachments.Should().Be(1);
        var tokens = facts.InputTokens(TokenizerFamily.O200k);
        tokens.Should().BeInRange(RequestFacts.PerAttachment + 10, RequestFacts.PerAttachment + 60);
    }

    [Fact]
    public void Unescapes_strings_before_counting_them()
    {
        var plain = Read("""{"model":"gpt-4o","input":"Line one. Line two."}""");
        var escaped = Read("""{"model":"gpt-4o","input":"Line\u0020one.\u0020Line\u0020two."}""");

        escaped.InputTokens(TokenizerFamily.O200k).Should().Be(plain.InputTokens(TokenizerFamily.O200k));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("{\"model\":\"gpt-4o\",")]
    public void A_body_that_is_not_a_json_object_is_rejected(string json)
        => FluentActions.Invoking(() => Read(json)).Should().Throw<System.Text.Json.JsonException>();
}
