using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using AiOrchestrator.Http.Wire;
using AiOrchestrator.Safety;

namespace AiOrchestrator.Http.Safety;

/// <summary>
/// The output side of the safety stage in the <c>HttpClient</c> pipeline, run by the outer handler after the cache
/// (so cache entries keep the placeholders the provider saw): a buffered JSON answer has each text checked by the
/// <see cref="SafetyGuard"/> (output filters, then the call's placeholders restored) and is rewritten; an event
/// stream is filtered and restored as it is read (<see cref="RestoringSseContent"/>). Error responses pass as they are.
/// </summary>
internal static class ResponseSafety
{
    /// <summary>Returns <paramref name="response"/> with its answer checked and restored.</summary>
    /// <exception cref="SafetyPolicyViolationException">The policy blocks the answer (the response is disposed).</exception>
    public static async Task<HttpResponseMessage> ApplyAsync(
        SafetyGuard guard, RedactionSession session, AiScope scope, AiCallId callId, WireFormat format, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode || response.Content is null)
        {
            return response;
        }

        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if (string.Equals(mediaType, "text/event-stream", StringComparison.OrdinalIgnoreCase))
        {
            // Streams are filtered and restored event by event; with nothing redacted and an output policy that
            // changes nothing, the events pass as they came.
            if (session.Count > 0 || guard.OutputMayChangeText(scope))
            {
                response.Content = new RestoringSseContent(response.Content, new SseRestorer(guard, session, scope, callId, format));
            }

            return response;
        }

        try
        {
            await response.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            var rewritten = Check(guard, session, scope, callId, format, body);
            if (rewritten is not null)
            {
                response.Content = Replace(response.Content, rewritten);
            }

            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <summary>The answer <paramref name="body"/> with its texts checked and restored, or null when nothing changed or it is not JSON.</summary>
    /// <exception cref="SafetyPolicyViolationException">The policy blocks the answer.</exception>
    public static byte[]? Check(SafetyGuard guard, RedactionSession session, AiScope scope, AiCallId callId, WireFormat format, byte[] body)
    {
        JsonObject? root;
        try
        {
            root = JsonNode.Parse(body) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }

        if (root is null)
        {
            return null;
        }

        var texts = Collect(root, format);
        var changed = false;
        foreach (var text in texts)
        {
            var result = guard.CheckOutput(text.Text.Text, session, scope, text.Text.Kind, callId);
            if (!string.Equals(result.Text, text.Text.Text, StringComparison.Ordinal))
            {
                text.Write(result.Text);
                changed = true;
            }
        }

        return changed ? JsonSerializer.SerializeToUtf8Bytes(root, WireText.Json) : null;
    }

    /// <summary>The texts of an answer body: message text and tool-call arguments.</summary>
    public static List<WireText> Collect(JsonObject root, WireFormat format)
    {
        var texts = new List<WireText>();
        switch (format)
        {
            case WireFormat.OpenAIChat when root["choices"] is JsonArray choices:
                foreach (var node in choices)
                {
                    if (node is JsonObject choice && choice["message"] is JsonObject message)
                    {
                        WireText.AddContent(texts, message, "content", SafetyTextKind.Assistant);
                        if (message["tool_calls"] is JsonArray calls)
                        {
                            foreach (var call in calls)
                            {
                                if (call is JsonObject c && c["function"] is JsonObject function)
                                {
                                    WireText.AddString(texts, function, "arguments", SafetyTextKind.ToolCallArguments);
                                }
                            }
                        }
                    }
                }

                break;
            case WireFormat.OpenAIResponses when root["output"] is JsonArray output:
                foreach (var node in output)
                {
                    if (node is not JsonObject item)
                    {
                        continue;
                    }

                    if (WireText.StringOf(item["type"]) == "function_call")
                    {
                        WireText.AddString(texts, item, "arguments", SafetyTextKind.ToolCallArguments);
                    }
                    else if (item["content"] is JsonArray parts)
                    {
                        WireText.AddTextParts(texts, parts, SafetyTextKind.Assistant);
                    }
                }

                break;
            case WireFormat.AnthropicMessages when root["content"] is JsonArray blocks:
                foreach (var node in blocks)
                {
                    if (node is not JsonObject block)
                    {
                        continue;
                    }

                    switch (WireText.StringOf(block["type"]))
                    {
                        case "text":
                            WireText.AddString(texts, block, "text", SafetyTextKind.Assistant);
                            break;
                        case "tool_use" when block["input"] is JsonObject input:
                            AddStringValues(texts, input);
                            break;
                    }
                }

                break;
        }

        return texts;
    }

    /// <summary>Adds every string value inside a tool's decoded input (restored as plain text; the serialiser escapes it).</summary>
    private static void AddStringValues(List<WireText> texts, JsonNode node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, value) in obj.ToList())
                {
                    if (WireText.StringOf(value) is not null)
                    {
                        WireText.AddString(texts, obj, name, SafetyTextKind.Assistant);
                    }
                    else if (value is not null)
                    {
                        AddStringValues(texts, value);
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    var index = i;
                    if (WireText.StringOf(array[i]) is { } text)
                    {
                        texts.Add(new WireText(new SafetyText(text, SafetyTextKind.Assistant), value => array[index] = value));
                    }
                    else if (array[i] is { } child)
                    {
                        AddStringValues(texts, child);
                    }
                }

                break;
        }
    }

    /// <summary>A content with <paramref name="body"/> and the headers of <paramref name="original"/> (but its length).</summary>
    internal static ByteArrayContent Replace(HttpContent original, byte[] body)
    {
        var content = new ByteArrayContent(body);
        foreach (var header in original.Headers)
        {
            if (!string.Equals(header.Key, "Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                content.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        content.Headers.ContentType ??= new MediaTypeHeaderValue("application/json");
        original.Dispose();
        return content;
    }
}
