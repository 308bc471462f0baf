using System.Text;
using System.Text.Json.Nodes;

namespace AiOrchestrator.Http.Tests.TestDoubles;

/// <summary>Request bodies in the providers' formats, sent as raw JSON as an app calling the REST API would.</summary>
internal static class Requests
{
    public const string ChatPath = "/v1/chat/completions";
    public const string ResponsesPath = "/v1/responses";
    public const string MessagesPath = "/v1/messages";

    public static string Chat(string model, bool stream = false, long? maxTokens = 1000, string question = "What is the answer?")
    {
        var body = new JsonObject
        {
            ["model"] = model,
            ["messages"] = new JsonArray(
                new JsonObject { ["role"] = "system", ["content"] = "You answer briefly." },
                new JsonObject { ["role"] = "user", ["content"] = question }),
        };
        if (maxTokens is { } max)
        {
            body["max_completion_tokens"] = max;
        }

        if (stream)
        {
            body["stream"] = true;
            body["stream_options"] = new JsonObject { ["include_usage"] = true };
        }

        return body.ToJsonString();
    }

    public static string Responses(string model, bool stream = false, long? maxTokens = 1000) => new JsonObject
    {
        ["model"] = model,
        ["instructions"] = "You answer briefly.",
        ["input"] = "What is the answer?",
        ["max_output_tokens"] = maxTokens,
        ["stream"] = stream,
    }.ToJsonString();

    public static string Messages(string model, bool stream = false, long maxTokens = 1024) => new JsonObject
    {
        ["model"] = model,
        ["max_tokens"] = maxTokens,
        ["system"] = "You answer briefly.",
        ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "What is the answer?" }),
        ["stream"] = stream,
    }.ToJsonString();

    public static HttpRequestMessage Post(string url, string json) => new(HttpMethod.Post, url)
    {
        Content = new StringContent(json, Encoding.UTF8, "application/json"),
    };
}
