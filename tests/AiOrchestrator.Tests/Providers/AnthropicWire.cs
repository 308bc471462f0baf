using System.Text;
using System.Text.Json.Nodes;

namespace AiOrchestrator.Tests.Providers;

/// <summary>
/// Token counts as Anthropic reports them. Unlike OpenAI, <see cref="InputTokens"/> excludes cache reads and
/// cache writes: the whole prompt is input + cache_read + cache_creation. cache_creation_input_tokens is the sum of
/// the 5-minute and 1-hour writes. <see cref="ThinkingTokens"/> (output_tokens_details.thinking_tokens) is a part of
/// <see cref="OutputTokens"/>; null leaves the field off the wire, as older API versions do.
/// </summary>
internal sealed record AnthropicWireUsage(
    long InputTokens,
    long OutputTokens,
    long CacheReadTokens = 0,
    long CacheWrite5mTokens = 0,
    long CacheWrite1hTokens = 0,
    long? ThinkingTokens = null,
    long WebSearchRequests = 0)
{
    public long CacheCreationTokens => CacheWrite5mTokens + CacheWrite1hTokens;
}

/// <summary>How the usage of a streamed message's message_delta event looks.</summary>
internal enum AnthropicDeltaUsage
{
    /// <summary>Only the cumulative output_tokens, as the streaming guide's example shows.</summary>
    OutputOnly,

    /// <summary>Cumulative input, cache and output counts, as the current API sends them.</summary>
    Cumulative,
}

/// <summary>Wire bodies in Anthropic's documented Messages API format (POST /v1/messages), buffered and streamed.</summary>
internal static class AnthropicWire
{
    public const string MessageId = "msg_013Zva2CMHLNnXjNJJKqJ2EF";

    /// <summary>A non-streamed message with the full usage block.</summary>
    public static string Message(string model, string text, AnthropicWireUsage usage) => new JsonObject
    {
        ["id"] = MessageId,
        ["type"] = "message",
        ["role"] = "assistant",
        ["model"] = model,
        ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = text }),
        ["stop_reason"] = "end_turn",
        ["stop_sequence"] = null,
        ["usage"] = FullUsage(usage, usage.OutputTokens),
    }.ToJsonString();

    /// <summary>
    /// A streamed message: message_start (its message.usage has the input and cache counts of
    /// <paramref name="startUsage"/>, default <paramref name="usage"/>, and a small <paramref name="startOutputTokens"/>),
    /// a text content block with one content_block_delta per piece and a ping, message_delta with the stop reason and
    /// the cumulative <paramref name="usage"/>, then message_stop. A start usage that differs from the final one is
    /// what server tools (web search) cause: their results add input tokens after message_start.
    /// </summary>
    public static string MessageStream(
        string model,
        IReadOnlyList<string> pieces,
        AnthropicWireUsage usage,
        AnthropicDeltaUsage deltaUsage,
        long startOutputTokens = 1,
        AnthropicWireUsage? startUsage = null)
    {
        var sse = new StringBuilder();
        AppendEvent(sse, "message_start", new JsonObject
        {
            ["type"] = "message_start",
            ["message"] = new JsonObject
            {
                ["id"] = MessageId,
                ["type"] = "message",
                ["role"] = "assistant",
                ["model"] = model,
                ["content"] = new JsonArray(),
                ["stop_reason"] = null,
                ["stop_sequence"] = null,
                ["usage"] = FullUsage((startUsage ?? usage) with { ThinkingTokens = null }, startOutputTokens),
            },
        });
        AppendEvent(sse, "content_block_start", new JsonObject
        {
            ["type"] = "content_block_start",
            ["index"] = 0,
            ["content_block"] = new JsonObject { ["type"] = "text", ["text"] = string.Empty },
        });
        AppendEvent(sse, "ping", new JsonObject { ["type"] = "ping" });
        foreach (string piece in pieces)
        {
            AppendEvent(sse, "content_block_delta", new JsonObject
            {
                ["type"] = "content_block_delta",
                ["index"] = 0,
                ["delta"] = new JsonObject { ["type"] = "text_delta", ["text"] = piece },
            });
        }

        AppendEvent(sse, "content_block_stop", new JsonObject { ["type"] = "content_block_stop", ["index"] = 0 });
        AppendEvent(sse, "message_delta", new JsonObject
        {
            ["type"] = "message_delta",
            ["delta"] = new JsonObject { ["stop_reason"] = "end_turn", ["stop_sequence"] = null },
            ["usage"] = DeltaUsage(usage, deltaUsage),
        });
        AppendEvent(sse, "message_stop", new JsonObject { ["type"] = "message_stop" });
        return sse.ToString();
    }

    private static JsonObject FullUsage(AnthropicWireUsage usage, long outputTokens)
    {
        var node = new JsonObject
        {
            ["input_tokens"] = usage.InputTokens,
            ["cache_creation_input_tokens"] = usage.CacheCreationTokens,
            ["cache_read_input_tokens"] = usage.CacheReadTokens,
            ["cache_creation"] = new JsonObject
            {
                ["ephemeral_5m_input_tokens"] = usage.CacheWrite5mTokens,
                ["ephemeral_1h_input_tokens"] = usage.CacheWrite1hTokens,
            },
            ["output_tokens"] = outputTokens,
            ["service_tier"] = "standard",
        };
        AddOptionalParts(node, usage);
        return node;
    }

    private static JsonObject DeltaUsage(AnthropicWireUsage usage, AnthropicDeltaUsage shape)
    {
        if (shape == AnthropicDeltaUsage.OutputOnly)
        {
            return new JsonObject { ["output_tokens"] = usage.OutputTokens };
        }

        var node = new JsonObject
        {
            ["input_tokens"] = usage.InputTokens,
            ["cache_creation_input_tokens"] = usage.CacheCreationTokens,
            ["cache_read_input_tokens"] = usage.CacheReadTokens,
            ["output_tokens"] = usage.OutputTokens,
        };
        AddOptionalParts(node, usage);
        return node;
    }

    private static void AddOptionalParts(JsonObject node, AnthropicWireUsage usage)
    {
        if (usage.ThinkingTokens is { } thinking)
        {
            node["output_tokens_details"] = new JsonObject { ["thinking_tokens"] = thinking };
        }

        if (usage.WebSearchRequests > 0)
        {
            node["server_tool_use"] = new JsonObject
            {
                ["web_search_requests"] = usage.WebSearchRequests,
                ["web_fetch_requests"] = 0,
            };
        }
    }

    private static void AppendEvent(StringBuilder sse, string name, JsonObject data) =>
        sse.Append("event: ").Append(name).Append('\n').Append("data: ").Append(data.ToJsonString()).Append("\n\n");
}
