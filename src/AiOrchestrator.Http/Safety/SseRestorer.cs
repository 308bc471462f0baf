using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AiOrchestrator.Http.Wire;
using AiOrchestrator.Safety;

namespace AiOrchestrator.Http.Safety;

/// <summary>
/// Filters and restores a server-sent event stream, one event at a time: the text and tool-argument deltas go through
/// the guard's streaming output (<see cref="SafetyGuard.CreateStreamingOutput"/>) per choice, content block or output
/// part — the same output policy as a buffered answer, holding back a short window so a value or a placeholder split
/// across events is handled whole — and what is held back is given out when that choice, block or part ends. Events
/// that repeat a whole text (the Responses API's done and completed events) get the same filter and restoration.
/// Every event with nothing to change is passed on byte for byte.
/// </summary>
/// <remarks>An event whose <c>data</c> spans several lines or is not JSON is passed on as it came.</remarks>
internal sealed class SseRestorer(SafetyGuard guard, RedactionSession session, AiScope scope, AiCallId callId, WireFormat format)
{
    private static readonly byte[] Newline = "\n"u8.ToArray();

    private readonly Dictionary<string, Pending> _open = new(StringComparer.Ordinal);

    /// <summary>Writes <paramref name="sseEvent"/> (its lines and the blank line that ends it), restored, to <paramref name="output"/>.</summary>
    public void Process(ReadOnlySpan<byte> sseEvent, Stream output)
    {
        if (!TryFindData(sseEvent, out var dataStart, out var dataEnd))
        {
            output.Write(sseEvent);
            return;
        }

        var data = sseEvent[dataStart..dataEnd];
        if (data.SequenceEqual("[DONE]"u8))
        {
            FlushAll(output);
            output.Write(sseEvent);
            return;
        }

        JsonObject? root;
        try
        {
            root = JsonNode.Parse(data) as JsonObject;
        }
        catch (JsonException)
        {
            root = null;
        }

        var changed = root is not null && format switch
        {
            WireFormat.OpenAIChat => Chat(root),
            WireFormat.AnthropicMessages => Messages(root, output),
            _ => Responses(root, output),
        };
        if (!changed)
        {
            output.Write(sseEvent);
            return;
        }

        // The event's other lines (event:, id:) stay; only the data line is rewritten.
        var lineStart = dataStart - (sseEvent[..dataStart].EndsWith("data: "u8) ? 6 : 5);
        output.Write(sseEvent[..lineStart]);
        output.Write("data: "u8);
        output.Write(JsonSerializer.SerializeToUtf8Bytes(root, WireText.Json));
        output.Write(sseEvent[dataEnd..]);
    }

    /// <summary>Writes what is still held back, at the end of the stream.</summary>
    public void FlushAll(Stream output)
    {
        foreach (var (_, pending) in _open.ToList())
        {
            Emit(pending, output);
        }

        _open.Clear();
    }

    private bool Chat(JsonObject root)
    {
        if (root["choices"] is not JsonArray choices)
        {
            return false;
        }

        var changed = false;
        for (var c = 0; c < choices.Count; c++)
        {
            if (choices[c] is not JsonObject choice)
            {
                continue;
            }

            var index = IndexOf(choice, "index", c);
            var delta = choice["delta"] as JsonObject;
            var finished = WireText.StringOf(choice["finish_reason"]) is not null;
            if (delta is not null)
            {
                var (textChunk, textField) = ChatChunk(index, null);
                changed |= Through(delta, "content", $"c{index}", json: false, flush: finished, textChunk, textField);
                if (delta["tool_calls"] is JsonArray calls)
                {
                    foreach (var node in calls)
                    {
                        if (node is JsonObject call && call["function"] is JsonObject function)
                        {
                            var toolIndex = IndexOf(call, "index", 0);
                            var (toolChunk, toolField) = ChatChunk(index, toolIndex);
                            changed |= Through(function, "arguments", $"c{index}t{toolIndex}", json: true, flush: false, toolChunk, toolField);
                        }
                    }
                }
            }

            if (finished)
            {
                changed |= FlushChoice(choice, index);
            }
        }

        return changed;
    }

    /// <summary>
    /// A chunk that carries what a restorer still holds when the stream ends without a finish reason for its choice,
    /// and the object whose field gets that text.
    /// </summary>
    private static (JsonObject Chunk, JsonObject Field) ChatChunk(int choice, int? tool)
    {
        var delta = new JsonObject();
        var field = delta;
        if (tool is { } t)
        {
            field = [];
            delta["tool_calls"] = new JsonArray(new JsonObject { ["index"] = t, ["function"] = field });
        }

        var chunk = new JsonObject
        {
            ["object"] = "chat.completion.chunk",
            ["choices"] = new JsonArray(new JsonObject { ["index"] = choice, ["delta"] = delta, ["finish_reason"] = null }),
        };
        return (chunk, field);
    }

    /// <summary>At a choice's finish, puts what its restorers still hold into the finishing chunk's delta.</summary>
    private bool FlushChoice(JsonObject choice, int index)
    {
        var changed = false;
        var prefix = $"c{index}";
        foreach (var (key, pending) in _open.ToList())
        {
            if (!key.StartsWith(prefix, StringComparison.Ordinal) || (key.Length > prefix.Length && key[prefix.Length] != 't'))
            {
                continue;
            }

            _open.Remove(key);
            var rest = pending.Restorer.Flush();
            if (rest.Length == 0)
            {
                continue;
            }

            var delta = choice["delta"] as JsonObject ?? [];
            choice["delta"] = delta;
            if (key.Length == prefix.Length)
            {
                delta["content"] = (WireText.StringOf(delta["content"]) ?? string.Empty) + rest;
            }
            else
            {
                var toolIndex = int.Parse(key.AsSpan(prefix.Length + 1), System.Globalization.CultureInfo.InvariantCulture);
                var calls = delta["tool_calls"] as JsonArray ?? [];
                delta["tool_calls"] = calls;
                calls.Add(new JsonObject { ["index"] = toolIndex, ["function"] = new JsonObject { ["arguments"] = rest } });
            }

            changed = true;
        }

        return changed;
    }

    private bool Messages(JsonObject root, Stream output)
    {
        var index = IndexOf(root, "index", 0);
        switch (WireText.StringOf(root["type"]))
        {
            case "content_block_delta" when root["delta"] is JsonObject delta:
                return WireText.StringOf(delta["type"]) switch
                {
                    "text_delta" => Through(delta, "text", $"b{index}", json: false, flush: false, template: root),
                    "input_json_delta" => Through(delta, "partial_json", $"b{index}", json: true, flush: false, template: root),
                    _ => false,
                };
            case "content_block_stop":
                if (_open.Remove($"b{index}", out var pending))
                {
                    Emit(pending, output);
                }

                return false;
            case "message_stop":
                FlushAll(output);
                return false;
            default:
                return false;
        }
    }

    private bool Responses(JsonObject root, Stream output)
    {
        var type = WireText.StringOf(root["type"]);
        var key = $"o{IndexOf(root, "output_index", 0)}p{IndexOf(root, "content_index", 0)}";
        switch (type)
        {
            case "response.output_text.delta":
                return Through(root, "delta", key, json: false, flush: false, template: root);
            case "response.function_call_arguments.delta":
                return Through(root, "delta", key, json: true, flush: false, template: root);
            case "response.output_text.done" or "response.function_call_arguments.done":
                if (_open.Remove(key, out var pending))
                {
                    Emit(pending, output);
                }

                break;
        }

        // Events that repeat whole texts (done events, the completed response) are restored as whole texts.
        return RestoreStrings(root);
    }

    /// <summary>Filters and restores every string value inside <paramref name="node"/>; <c>arguments</c> values are raw JSON.</summary>
    private bool RestoreStrings(JsonNode node)
    {
        var changed = false;
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, value) in obj.ToList())
                {
                    if (WireText.StringOf(value) is { } text)
                    {
                        var restored = guard.FilterRepeatedOutput(text, session, scope, name == "arguments" ? SafetyTextKind.ToolCallArguments : SafetyTextKind.Assistant);
                        if (!ReferenceEquals(restored, text))
                        {
                            obj[name] = restored;
                            changed = true;
                        }
                    }
                    else if (value is not null)
                    {
                        changed |= RestoreStrings(value);
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    if (WireText.StringOf(array[i]) is { } text)
                    {
                        var restored = guard.FilterRepeatedOutput(text, session, scope, SafetyTextKind.Assistant);
                        if (!ReferenceEquals(restored, text))
                        {
                            array[i] = restored;
                            changed = true;
                        }
                    }
                    else if (array[i] is { } child)
                    {
                        changed |= RestoreStrings(child);
                    }
                }

                break;
        }

        return changed;
    }

    /// <summary>Passes <paramref name="parent"/>[<paramref name="name"/>] through the restorer of <paramref name="key"/>.</summary>
    private bool Through(JsonObject parent, string name, string key, bool json, bool flush, JsonObject? template = null, JsonObject? field = null)
    {
        if (WireText.StringOf(parent[name]) is not { } text)
        {
            return false;
        }

        if (!_open.TryGetValue(key, out var pending))
        {
            pending = new Pending(guard.CreateStreamingOutput(session, scope, json ? SafetyTextKind.ToolCallArguments : SafetyTextKind.Assistant, callId), template, name, field ?? parent);
            _open[key] = pending;
        }

        var restored = pending.Restorer.Append(text);
        if (flush)
        {
            restored += pending.Restorer.Flush();
            _open.Remove(key);
        }

        if (string.Equals(restored, text, StringComparison.Ordinal))
        {
            return false;
        }

        parent[name] = restored;
        return true;
    }

    /// <summary>Writes what a restorer still holds as one more delta event shaped like the ones it came in.</summary>
    private static void Emit(Pending pending, Stream output)
    {
        var rest = pending.Restorer.Flush();
        if (rest.Length == 0 || pending.Template is null)
        {
            return;
        }

        pending.Field[pending.Name] = rest;
        var type = WireText.StringOf(pending.Template["type"]);
        if (type is not null)
        {
            output.Write(Encoding.UTF8.GetBytes("event: " + type));
            output.Write(Newline);
        }

        output.Write("data: "u8);
        output.Write(JsonSerializer.SerializeToUtf8Bytes(pending.Template, WireText.Json));
        output.Write("\n\n"u8);
    }

    private static int IndexOf(JsonObject node, string name, int fallback)
        => node[name] is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<int>(out var i) ? i : fallback;

    /// <summary>Finds the single <c>data:</c> line of an event; false when it has none or several.</summary>
    private static bool TryFindData(ReadOnlySpan<byte> sseEvent, out int start, out int end)
    {
        start = end = -1;
        var at = 0;
        while (at < sseEvent.Length)
        {
            var newline = sseEvent[at..].IndexOf((byte)'\n');
            var lineEnd = newline < 0 ? sseEvent.Length : at + newline;
            var line = sseEvent[at..lineEnd];
            if (line.StartsWith("data:"u8))
            {
                if (start >= 0)
                {
                    return false;
                }

                start = at + (line.StartsWith("data: "u8) ? 6 : 5);
                end = lineEnd > at && sseEvent[lineEnd - 1] == (byte)'\r' ? lineEnd - 1 : lineEnd;
            }

            at = lineEnd + 1;
        }

        return start >= 0 && end >= start;
    }

    /// <summary>An open restorer, and the last event it came in (a template for the event that gives out the rest).</summary>
    private sealed record Pending(StreamingRestorer Restorer, JsonObject? Template, string Name, JsonObject Field);
}
