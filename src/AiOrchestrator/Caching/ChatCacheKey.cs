using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace AiOrchestrator.Caching;

/// <summary>
/// The exact-cache key of a chat request: SHA-256 over a canonical form of everything that changes the answer (the
/// model, the messages with every content, the instructions, the sampling options, the response format, the
/// reasoning options, the tool definitions with their schemas and the tool mode, and the caller's own additional
/// properties), plus the cache partition. Writing the canonical form reuses one buffer per thread.
/// </summary>
internal static class ChatCacheKey
{
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    /// <summary>Why a request has no key and is sent as it is, or <see langword="null"/> when it has one.</summary>
    public static string? Build(string partition, string model, IEnumerable<ChatMessage> messages, ChatOptions? options, out string key)
    {
        key = string.Empty;
        if (options is not null)
        {
            if (options.ConversationId is not null)
            {
                return "conversation"; // the answer depends on history the provider keeps
            }

            if (options.ContinuationToken is not null || options.AllowBackgroundResponses == true)
            {
                return "background";
            }

            if (options.RawRepresentationFactory is not null)
            {
                return "raw-options"; // an SDK-level request the key cannot see
            }
        }

        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(4096);
        buffer.ResetWrittenCount();
        var writer = t_writer ??= new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true });
        writer.Reset(buffer);
        try
        {
            writer.WriteStartArray();
            writer.WriteStringValue("aio-cache-1");
            writer.WriteStringValue(partition);
            writer.WriteStringValue(model);
            WriteOptions(writer, options);
            if (messages is IList<ChatMessage> list)
            {
                for (var i = 0; i < list.Count; i++)
                {
                    WriteMessage(writer, list[i]); // indexed: no enumerator allocated per call
                }
            }
            else
            {
                foreach (var message in messages)
                {
                    WriteMessage(writer, message);
                }
            }

            writer.WriteEndArray();
            writer.Flush();
        }
        catch (Exception ex) when (ex is NotSupportedException or JsonException or InvalidOperationException)
        {
            return "unserialisable"; // a content or option the key cannot capture: never risk a wrong hit
        }

        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(buffer.WrittenSpan, hash);
        key = KeyOf(hash);
        if (buffer.Capacity > 1 << 20)
        {
            t_buffer = null; // do not keep a huge buffer per thread
            t_writer = null;
        }

        return null;
    }

    /// <summary>"aio:" and the hash in base64url (47 characters): one string allocated.</summary>
    private static string KeyOf(ReadOnlySpan<byte> hash)
    {
        Span<char> text = stackalloc char[4 + 43];
        "aio:".CopyTo(text);
        System.Buffers.Text.Base64Url.EncodeToChars(hash, text[4..]);
        return new string(text);
    }

    private static void WriteMessage(Utf8JsonWriter writer, ChatMessage message)
    {
        writer.WriteStartArray();
        writer.WriteStringValue(message.Role.Value);
        writer.WriteStringValue(message.AuthorName);
        var contents = message.Contents;
        for (var i = 0; i < contents.Count; i++)
        {
            WriteContent(writer, contents[i]);
        }

        writer.WriteEndArray();
    }

    private static void WriteOptions(Utf8JsonWriter writer, ChatOptions? options)
    {
        writer.WriteStartObject();
        if (options is not null)
        {
            WriteString(writer, "i", options.Instructions);
            WriteNumber(writer, "t", options.Temperature);
            WriteNumber(writer, "p", options.TopP);
            WriteNumber(writer, "k", options.TopK);
            WriteNumber(writer, "m", options.MaxOutputTokens);
            WriteNumber(writer, "f", options.FrequencyPenalty);
            WriteNumber(writer, "r", options.PresencePenalty);
            WriteNumber(writer, "s", options.Seed);
            if (options.StopSequences is { Count: > 0 } stops)
            {
                writer.WriteStartArray("x");
                foreach (var stop in stops)
                {
                    writer.WriteStringValue(stop);
                }

                writer.WriteEndArray();
            }

            if (options.ResponseFormat is { } format)
            {
                writer.WritePropertyName("fmt");
                JsonSerializer.Serialize(writer, format, AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(ChatResponseFormat)));
            }

            if (options.Reasoning is { } reasoning)
            {
                writer.WritePropertyName("rsn");
                JsonSerializer.Serialize(writer, reasoning, AIJsonUtilities.DefaultOptions.GetTypeInfo(reasoning.GetType()));
            }

            if (options.AllowMultipleToolCalls is { } multiple)
            {
                writer.WriteBoolean("mt", multiple);
            }

            if (options.ToolMode is { } mode)
            {
                writer.WriteString("tm", mode switch
                {
                    RequiredChatToolMode { RequiredFunctionName: { } name } => "required:" + name,
                    RequiredChatToolMode => "required",
                    NoneChatToolMode => "none",
                    _ => "auto",
                });
            }

            if (options.Tools is { Count: > 0 } tools)
            {
                writer.WriteStartArray("tools");
                foreach (var tool in tools)
                {
                    writer.WriteStartArray();
                    writer.WriteStringValue(tool.GetType().Name);
                    writer.WriteStringValue(tool.Name);
                    writer.WriteStringValue(tool.Description);
                    if (tool is AIFunctionDeclaration function)
                    {
                        function.JsonSchema.WriteTo(writer);
                        if (function.ReturnJsonSchema is { } returns)
                        {
                            returns.WriteTo(writer);
                        }
                    }

                    writer.WriteEndArray();
                }

                writer.WriteEndArray();
            }

            if (options.AdditionalProperties is { Count: > 0 } extra)
            {
                var started = false;
                foreach (var (name, value) in extra.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    // The pipeline's own keys (scope, call, cache switches) say who asks, not what is asked.
                    if (name.StartsWith("aiorchestrator.", StringComparison.Ordinal))
                    {
                        continue;
                    }

                    if (!started)
                    {
                        writer.WriteStartObject("ap");
                        started = true;
                    }

                    writer.WritePropertyName(name);
                    JsonSerializer.Serialize(writer, value, AIJsonUtilities.DefaultOptions.GetTypeInfo(value?.GetType() ?? typeof(object)));
                }

                if (started)
                {
                    writer.WriteEndObject();
                }
            }
        }

        writer.WriteEndObject();
    }

    private static void WriteContent(Utf8JsonWriter writer, AIContent content)
    {
        switch (content)
        {
            case TextContent text:
                writer.WriteStartArray();
                writer.WriteStringValue("text");
                writer.WriteStringValue(text.Text);
                writer.WriteEndArray();
                break;
            case TextReasoningContent reasoning:
                writer.WriteStartArray();
                writer.WriteStringValue("reasoning");
                writer.WriteStringValue(reasoning.Text);
                writer.WriteEndArray();
                break;
            case DataContent data:
                writer.WriteStartArray();
                writer.WriteStringValue("data");
                writer.WriteStringValue(data.MediaType);
                Span<byte> digest = stackalloc byte[32];
                SHA256.HashData(data.Data.Span, digest);
                writer.WriteBase64StringValue(digest);
                writer.WriteEndArray();
                break;
            case UriContent uri:
                writer.WriteStartArray();
                writer.WriteStringValue("uri");
                writer.WriteStringValue(uri.MediaType);
                writer.WriteStringValue(uri.Uri.OriginalString);
                writer.WriteEndArray();
                break;
            case UsageContent:
                break; // usage says what a past answer cost, not what is asked
            default:
                // Function calls and results and every other content: their JSON form, with the type discriminator.
                writer.WriteStartArray();
                writer.WriteStringValue(content.GetType().Name);
                JsonSerializer.Serialize(writer, content, AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(AIContent)));
                writer.WriteEndArray();
                break;
        }
    }

    private static void WriteString(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }

    private static void WriteNumber(Utf8JsonWriter writer, string name, float? value)
    {
        if (value is { } v)
        {
            writer.WriteNumber(name, v);
        }
    }

    private static void WriteNumber(Utf8JsonWriter writer, string name, long? value)
    {
        if (value is { } v)
        {
            writer.WriteNumber(name, v);
        }
    }

    private static void WriteNumber(Utf8JsonWriter writer, string name, int? value)
    {
        if (value is { } v)
        {
            writer.WriteNumber(name, v);
        }
    }
}
