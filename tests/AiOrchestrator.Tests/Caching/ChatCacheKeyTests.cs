using AiOrchestrator.Caching;
using Microsoft.Extensions.AI;

namespace AiOrchestrator.Tests.Caching;

/// <summary>What the exact-cache key of a chat request depends on, and what it does not.</summary>
public class ChatCacheKeyTests
{
    private static readonly List<ChatMessage> Messages = [new(ChatRole.System, "Be brief."), new(ChatRole.User, "What is the capital of France?")];

    private static string Key(ChatOptions? options = null, string partition = "org:acme", string model = "gpt-4o", List<ChatMessage>? messages = null)
    {
        ChatCacheKey.Build(partition, model, messages ?? Messages, options, out var key).Should().BeNull();
        key.Should().StartWith("aio:").And.HaveLength(4 + 43);
        return key;
    }

    [Fact]
    public void The_same_request_has_the_same_key()
        => Key(new ChatOptions { Temperature = 0f, MaxOutputTokens = 100 }).Should().Be(Key(new ChatOptions { Temperature = 0f, MaxOutputTokens = 100 }));

    [Fact]
    public void The_partition_the_model_and_every_message_change_the_key()
    {
        var baseline = Key();
        Key(partition: "org:globex").Should().NotBe(baseline);
        Key(model: "gpt-4o-mini").Should().NotBe(baseline);
        Key(messages: [new(ChatRole.System, "Be brief."), new(ChatRole.User, "What is the capital of Spain?")]).Should().NotBe(baseline);
        Key(messages: [new(ChatRole.User, "What is the capital of France?")]).Should().NotBe(baseline, "the system message is part of the request");
        Key(messages: [new(ChatRole.System, "Be brief."), new(ChatRole.User, "What is the capital of France?") { AuthorName = "dana" }]).Should().NotBe(baseline);
        Key(messages: [new(ChatRole.System, "Be brief."), new(ChatRole.User, [new TextContent("What is the capital of France?"), new DataContent(new byte[] { 1, 2, 3 }, "image/png")])])
            .Should().NotBe(baseline, "an attached image is part of the request");
    }

    [Fact]
    public void Every_option_that_changes_the_answer_changes_the_key()
    {
        var baseline = Key(new ChatOptions());
        var variants = new ChatOptions[]
        {
            new() { Temperature = 0.5f },
            new() { TopP = 0.9f },
            new() { TopK = 40 },
            new() { MaxOutputTokens = 10 },
            new() { FrequencyPenalty = 0.1f },
            new() { PresencePenalty = 0.1f },
            new() { Seed = 7 },
            new() { StopSequences = ["END"] },
            new() { Instructions = "Answer in French." },
            new() { ResponseFormat = ChatResponseFormat.Json },
            new() { ToolMode = ChatToolMode.RequireAny },
            new() { AllowMultipleToolCalls = false },
            new() { AdditionalProperties = new() { ["logit_bias"] = "x" } },
        };

        variants.Select(v => Key(v)).Should().OnlyHaveUniqueItems().And.NotContain(baseline);
    }

    [Fact]
    public void Tool_definitions_and_their_schemas_change_the_key()
    {
        var weather = AIFunctionFactory.Create((string city) => city, "weather", "The weather in a city.");
        var weatherWithUnit = AIFunctionFactory.Create((string city, string unit) => city + unit, "weather", "The weather in a city.");
        var described = AIFunctionFactory.Create((string city) => city, "weather", "Today's weather in a city.");

        var withTool = Key(new ChatOptions { Tools = [weather] });
        withTool.Should().NotBe(Key(new ChatOptions()));
        Key(new ChatOptions { Tools = [weatherWithUnit] }).Should().NotBe(withTool, "the parameters' schema differs");
        Key(new ChatOptions { Tools = [described] }).Should().NotBe(withTool, "the description differs");
        Key(new ChatOptions { Tools = [weather] }).Should().Be(withTool);
    }

    [Fact]
    public void The_pipelines_own_properties_do_not_change_the_key()
    {
        var scoped = new ChatOptions { AdditionalProperties = new() { [AiScopeKeys.Organization] = "acme", [AiScopeKeys.User] = "dana" } };
        Key(scoped).Should().Be(Key(new ChatOptions()));
    }

    [Theory]
    [InlineData("conversation")]
    [InlineData("raw-options")]
    public void Requests_whose_answer_the_key_cannot_see_have_no_key(string reason)
    {
        var options = reason == "conversation"
            ? new ChatOptions { ConversationId = "conv_123" }
            : new ChatOptions { RawRepresentationFactory = _ => new object() };

        ChatCacheKey.Build("org:acme", "gpt-4o", Messages, options, out _).Should().Be(reason);
    }
}
