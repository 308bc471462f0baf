using System.Text;
using System.Text.Json.Nodes;
using AiOrchestrator.Http.Tests.TestDoubles;
using AiOrchestrator.Safety;
using AiOrchestrator.Tests.Providers;
using Microsoft.Extensions.DependencyInjection;

namespace AiOrchestrator.Http.Tests.Safety;

/// <summary>
/// The output policy on streamed answers in the <c>HttpClient</c> pipeline: a secret the model writes itself, split
/// across server-sent events, reaches the caller redacted — the same guard and rule as the <c>IChatClient</c> stage.
/// </summary>
public class HttpStreamingOutputTests
{
    private static readonly string GitHubToken = "ghp" + "_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8";
    private static readonly OpenAIWireUsage Usage = new(PromptTokens: 100, CompletionTokens: 20, CachedTokens: 0);

    private static async Task<string> SendAsync(HttpTestHost host, string url, string json)
    {
        using var request = Requests.Post(url, json);
        using var response = await host.Client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>The answer cut into pieces of <paramref name="size"/> characters (one event each).</summary>
    private static string[] Pieces(string text, int size)
        => [.. Enumerable.Range(0, (text.Length + size - 1) / size).Select(i => text.Substring(i * size, Math.Min(size, text.Length - (i * size))))];

    private static string Answer => $"Your deploy token is {GitHubToken}; keep it out of the repository.";

    [Theory]
    [InlineData(2)]
    [InlineData(9)]
    public async Task A_secret_split_across_OpenAI_chat_events_reaches_the_caller_redacted(int size)
    {
        var sse = OpenAIWire.ChatCompletionStream("gpt-4o-2024-08-06", Pieces(Answer, size), Usage);
        var handler = new CannedHandler(sse, LlmServer.EventStream, chunkSize: 13);
        await using var host = new HttpTestHost(handler, services: s => s.AddSafety());

        var body = await SendAsync(host, "http://llm.test" + Requests.ChatPath, Requests.Chat("gpt-4o", stream: true, question: "Which token do I use?"));

        var text = new StringBuilder();
        foreach (var line in body.Split('\n').Where(l => l.StartsWith("data: {", StringComparison.Ordinal)))
        {
            foreach (var choice in JsonNode.Parse(line[6..])!["choices"]!.AsArray())
            {
                if (choice!["delta"]?["content"] is JsonValue content)
                {
                    text.Append(content.GetValue<string>());
                }
            }
        }

        text.ToString().Should().Be("Your deploy token is [REDACTED_GITHUB_TOKEN]; keep it out of the repository.");
        body.Should().NotContain(GitHubToken[..10]).And.EndWith("data: [DONE]\n\n");
        (await host.RecordsAsync()).Should().ContainSingle().Which.Usage.OutputTokens.Should().Be(20, "the meter still reads the provider's events");
    }

    [Fact]
    public async Task A_secret_split_across_Anthropic_events_reaches_the_caller_redacted()
    {
        var sse = AnthropicWire.MessageStream("claude-sonnet-4-5-20250929", Pieces(Answer, 4), new AnthropicWireUsage(100, 20), AnthropicDeltaUsage.OutputOnly);
        var handler = new CannedHandler(sse, LlmServer.EventStream, chunkSize: 7);
        await using var host = new HttpTestHost(handler, services: s => s.AddSafety());

        var body = await SendAsync(host, "http://llm.test" + Requests.MessagesPath, Requests.Messages("claude-sonnet-4-5"));

        var text = new StringBuilder();
        foreach (var line in body.Split('\n').Where(l => l.StartsWith("data: ", StringComparison.Ordinal)))
        {
            if (JsonNode.Parse(line[6..])!["delta"]?["text"] is JsonValue piece)
            {
                text.Append(piece.GetValue<string>());
            }
        }

        text.ToString().Should().Be("Your deploy token is [REDACTED_GITHUB_TOKEN]; keep it out of the repository.");
        body.Should().NotContain(GitHubToken[..10]);
        body.IndexOf("event: content_block_stop", StringComparison.Ordinal).Should().BeGreaterThan(body.LastIndexOf("repository.", StringComparison.Ordinal), "the held-back tail comes before its block stops");
    }

    [Fact]
    public async Task The_Responses_events_that_repeat_the_whole_text_are_filtered_like_the_deltas()
    {
        var sse = OpenAIWire.ResponseStream("gpt-4o-2024-08-06", Pieces(Answer, 5), Usage);
        var handler = new CannedHandler(sse, LlmServer.EventStream, chunkSize: 11);
        await using var host = new HttpTestHost(handler, services: s => s.AddSafety());

        var body = await SendAsync(host, "http://llm.test" + Requests.ResponsesPath, new JsonObject { ["model"] = "gpt-4o", ["input"] = "Which token?", ["stream"] = true }.ToJsonString());

        body.Should().NotContain(GitHubToken[..10], "neither the deltas nor the done and completed events carry the token");
        body.Should().Contain("[REDACTED_GITHUB_TOKEN]");
    }

    [Fact]
    public async Task A_stream_is_passed_byte_for_byte_when_nothing_was_redacted_and_the_output_policy_changes_nothing()
    {
        var sse = OpenAIWire.ChatCompletionStream("gpt-4o-2024-08-06", Pieces(Answer, 6), Usage);
        var handler = new CannedHandler(sse, LlmServer.EventStream);
        await using var host = new HttpTestHost(handler, services: s => s.AddSafety(configure: o => o.OutputSecrets = SafetyAction.Log));

        var body = await SendAsync(host, "http://llm.test" + Requests.ChatPath, Requests.Chat("gpt-4o", stream: true, question: "Which token do I use?"));

        body.Should().Be(sse);
    }
}
