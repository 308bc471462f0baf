using System.Text.Json;
using System.Text.Json.Nodes;
using AiOrchestrator.Http.Wire;
using AiOrchestrator.Safety;

namespace AiOrchestrator.Http.Safety;

/// <summary>
/// The input side of the safety stage in the <c>HttpClient</c> pipeline: finds the texts of a request body (messages,
/// system prompts, tool results, tool-call arguments) in the wire format, has the <see cref="SafetyGuard"/> check them
/// in one call, and writes the redacted texts back. It only adapts the wire format; every rule is the guard's.
/// </summary>
internal static class RequestSafety
{
    /// <summary>
    /// Checks the body of a call for <paramref name="scope"/>: returns the session that restores the answer and the
    /// rewritten body, or null for the body when nothing was redacted (the original bytes are sent as they are).
    /// </summary>
    /// <exception cref="SafetyPolicyViolationException">The policy blocks the call.</exception>
    /// <exception cref="JsonException">The body is not JSON.</exception>
    public static async ValueTask<(RedactionSession Session, byte[]? Body)> CheckAsync(
        SafetyGuard guard, ReadOnlyMemory<byte> body, WireFormat format, AiScope scope, AiCallId callId, CancellationToken cancellationToken)
    {
        var root = JsonNode.Parse(body.Span) as JsonObject ?? throw new JsonException("The body is not a JSON object.");
        var texts = Collect(root, format);
        var input = new SafetyText[texts.Count];
        for (var i = 0; i < texts.Count; i++)
        {
            input[i] = texts[i].Text;
        }

        var result = await guard.CheckInputAsync(input, scope, callId, cancellationToken).ConfigureAwait(false);
        var changed = false;
        for (var i = 0; i < texts.Count; i++)
        {
            if (!string.Equals(result.Texts[i], input[i].Text, StringComparison.Ordinal))
            {
                texts[i].Write(result.Texts[i]);
                changed = true;
            }
        }

        return (result.Session, changed ? JsonSerializer.SerializeToUtf8Bytes(root, WireText.Json) : null);
    }

    /// <summary>The texts of a request body, in the order they appear.</summary>
    public static List<WireText> Collect(JsonObject root, WireFormat format)
    {
        var texts = new List<WireText>();
        switch (format)
        {
            case WireFormat.OpenAIChat:
                CollectChat(root, texts);
                break;
            case WireFormat.OpenAIResponses:
                CollectResponses(root, texts);
                break;
            case WireFormat.AnthropicMessages:
                CollectMessages(root, texts);
                break;
        }

        return texts;
    }

    private static void CollectChat(JsonObject root, List<WireText> texts)
    {
        if (root["messages"] is not JsonArray messages)
        {
            return;
        }

        foreach (var item in messages)
        {
            if (item is not JsonObject message)
            {
                continue;
            }

            var kind = WireText.KindOf(WireText.StringOf(message["role"]));
            WireText.AddContent(texts, message, "content", kind);
            if (message["tool_calls"] is JsonArray calls)
            {
                foreach (var call in calls)
                {
                    if (call is JsonObject { } c && c["function"] is JsonObject function)
                    {
                        WireText.AddString(texts, function, "arguments", SafetyTextKind.ToolCallArguments);
                    }
                }
            }
        }
    }

    private static void CollectResponses(JsonObject root, List<WireText> texts)
    {
        WireText.AddString(texts, root, "instructions", SafetyTextKind.System);
        switch (root["input"])
        {
            case JsonArray items:
                foreach (var node in items)
                {
                    if (node is not JsonObject item)
                    {
                        continue;
                    }

                    switch (WireText.StringOf(item["type"]))
                    {
                        case "function_call_output":
                            WireText.AddContent(texts, item, "output", SafetyTextKind.ToolResult);
                            break;
                        case "function_call":
                            WireText.AddString(texts, item, "arguments", SafetyTextKind.ToolCallArguments);
                            break;
                        case null or "message":
                            WireText.AddContent(texts, item, "content", WireText.KindOf(WireText.StringOf(item["role"])));
                            break;
                    }
                }

                break;
            default:
                WireText.AddString(texts, root, "input", SafetyTextKind.User);
                break;
        }
    }

    private static void CollectMessages(JsonObject root, List<WireText> texts)
    {
        WireText.AddContent(texts, root, "system", SafetyTextKind.System);
        if (root["messages"] is not JsonArray messages)
        {
            return;
        }

        foreach (var item in messages)
        {
            if (item is not JsonObject message)
            {
                continue;
            }

            var kind = WireText.KindOf(WireText.StringOf(message["role"]));
            if (message["content"] is not JsonArray blocks)
            {
                WireText.AddString(texts, message, "content", kind);
                continue;
            }

            foreach (var node in blocks)
            {
                if (node is not JsonObject block)
                {
                    continue;
                }

                switch (WireText.StringOf(block["type"]))
                {
                    case "text":
                        WireText.AddString(texts, block, "text", kind);
                        break;
                    case "tool_result":
                        WireText.AddContent(texts, block, "content", SafetyTextKind.ToolResult);
                        break;
                    case "tool_use" when block["input"] is JsonObject input:
                        texts.Add(new WireText(
                            new SafetyText(input.ToJsonString(WireText.Json), SafetyTextKind.ToolCallArguments),
                            json => block["input"] = ParseToolInput(json)));
                        break;
                }
            }
        }
    }

    private static JsonNode ParseToolInput(string json)
    {
        try
        {
            return JsonNode.Parse(json) ?? throw new InvalidOperationException("A redacted tool_use input is null.");
        }
        catch (JsonException ex)
        {
            // A finding that crossed a JSON token would leave invalid JSON; sending the clear value instead is not an option.
            throw new InvalidOperationException("Redacting a tool_use input left it invalid JSON, so the request cannot be sent safely.", ex);
        }
    }
}
