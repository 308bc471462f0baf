using System.Text;
using System.Text.Json.Nodes;

namespace AiOrchestrator.Tests.Providers;

/// <summary>
/// Token counts as OpenAI reports them. OpenAI's totals include their parts: <see cref="PromptTokens"/> includes
/// cached and audio prompt tokens, <see cref="CompletionTokens"/> includes reasoning and audio completion tokens.
/// </summary>
internal sealed record OpenAIWireUsage(
    long PromptTokens,
    long CompletionTokens,
    long CachedTokens = 0,
    long PromptAudioTokens = 0,
    long ReasoningTokens = 0,
    long CompletionAudioTokens = 0,
    long AcceptedPredictionTokens = 0,
    long RejectedPredictionTokens = 0,
    long CacheWriteTokens = 0)
{
    public long TotalTokens => PromptTokens + CompletionTokens;
}

/// <summary>
/// Wire bodies in OpenAI's documented formats: Chat Completions (POST /v1/chat/completions) and
/// Responses (POST /v1/responses), each as one JSON body or as a server-sent event stream.
/// </summary>
internal static class OpenAIWire
{
    public const string ChatCompletionId = "chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG";
    public const string ResponseId = "resp_67ccd2bed1ec8190b14f964abc0542670bb6a6b452d3795b";
    public const string ResponseMessageId = "msg_67ccd2bf17f0819081ff3bb2cf6508e60bb6a6b452d3795b";
    public const long Created = 1741569952;

    /// <summary>
    /// A non-streamed chat completion with the full usage block, or, with <paramref name="details"/> false, only
    /// prompt/completion/total tokens as many OpenAI-compatible servers send it.
    /// </summary>
    public static string ChatCompletion(string model, string text, OpenAIWireUsage usage, bool details = true) => new JsonObject
    {
        ["id"] = ChatCompletionId,
        ["object"] = "chat.completion",
        ["created"] = Created,
        ["model"] = model,
        ["choices"] = new JsonArray(new JsonObject
        {
            ["index"] = 0,
            ["message"] = new JsonObject
            {
                ["role"] = "assistant",
                ["content"] = text,
                ["refusal"] = null,
                ["annotations"] = new JsonArray(),
            },
            ["logprobs"] = null,
            ["finish_reason"] = "stop",
        }),
        ["usage"] = details ? ChatUsage(usage) : BareChatUsage(usage),
        ["service_tier"] = "default",
        ["system_fingerprint"] = "fp_fc9f1d7035",
    }.ToJsonString();

    /// <summary>
    /// A streamed chat completion: a role chunk, one chunk per text piece, a finish chunk, then (as the API does
    /// when <c>stream_options.include_usage</c> is set) a chunk with empty choices carrying usage, then [DONE].
    /// Every chunk before the last carries <c>"usage": null</c>, as the API sends it.
    /// </summary>
    public static string ChatCompletionStream(string model, IReadOnlyList<string> pieces, OpenAIWireUsage? usage)
    {
        var sse = new StringBuilder();
        AppendData(sse, Chunk(model, new JsonObject { ["role"] = "assistant", ["content"] = string.Empty, ["refusal"] = null }, null, usage is not null));
        foreach (string piece in pieces)
        {
            AppendData(sse, Chunk(model, new JsonObject { ["content"] = piece }, null, usage is not null));
        }

        AppendData(sse, Chunk(model, new JsonObject(), "stop", usage is not null));
        if (usage is not null)
        {
            var last = new JsonObject
            {
                ["id"] = ChatCompletionId,
                ["object"] = "chat.completion.chunk",
                ["created"] = Created,
                ["model"] = model,
                ["service_tier"] = "default",
                ["system_fingerprint"] = "fp_fc9f1d7035",
                ["choices"] = new JsonArray(),
                ["usage"] = ChatUsage(usage),
            };
            AppendData(sse, last.ToJsonString());
        }

        sse.Append("data: [DONE]\n\n");
        return sse.ToString();
    }

    /// <summary>A non-streamed Responses API response with the full usage block.</summary>
    public static string Response(string model, string text, OpenAIWireUsage usage) =>
        ResponseObject(model, "completed", OutputMessage(text, "completed"), ResponsesUsage(usage)).ToJsonString();

    /// <summary>
    /// A streamed Responses API response: response.created, response.in_progress, the output item and content
    /// part events, one response.output_text.delta per piece, the done events, then response.completed whose
    /// response carries the usage. Each event has an <c>event:</c> line and a <c>data:</c> line.
    /// </summary>
    public static string ResponseStream(string model, IReadOnlyList<string> pieces, OpenAIWireUsage usage)
    {
        string text = string.Concat(pieces);
        var sse = new StringBuilder();
        int sequence = 0;

        AppendEvent(sse, "response.created", new JsonObject
        {
            ["type"] = "response.created",
            ["sequence_number"] = sequence++,
            ["response"] = ResponseObject(model, "in_progress", null, null),
        });
        AppendEvent(sse, "response.in_progress", new JsonObject
        {
            ["type"] = "response.in_progress",
            ["sequence_number"] = sequence++,
            ["response"] = ResponseObject(model, "in_progress", null, null),
        });
        AppendEvent(sse, "response.output_item.added", new JsonObject
        {
            ["type"] = "response.output_item.added",
            ["sequence_number"] = sequence++,
            ["output_index"] = 0,
            ["item"] = OutputMessage(null, "in_progress"),
        });
        AppendEvent(sse, "response.content_part.added", new JsonObject
        {
            ["type"] = "response.content_part.added",
            ["sequence_number"] = sequence++,
            ["item_id"] = ResponseMessageId,
            ["output_index"] = 0,
            ["content_index"] = 0,
            ["part"] = OutputText(string.Empty),
        });
        foreach (string piece in pieces)
        {
            AppendEvent(sse, "response.output_text.delta", new JsonObject
            {
                ["type"] = "response.output_text.delta",
                ["sequence_number"] = sequence++,
                ["item_id"] = ResponseMessageId,
                ["output_index"] = 0,
                ["content_index"] = 0,
                ["delta"] = piece,
                ["logprobs"] = new JsonArray(),
            });
        }

        AppendEvent(sse, "response.output_text.done", new JsonObject
        {
            ["type"] = "response.output_text.done",
            ["sequence_number"] = sequence++,
            ["item_id"] = ResponseMessageId,
            ["output_index"] = 0,
            ["content_index"] = 0,
            ["text"] = text,
            ["logprobs"] = new JsonArray(),
        });
        AppendEvent(sse, "response.content_part.done", new JsonObject
        {
            ["type"] = "response.content_part.done",
            ["sequence_number"] = sequence++,
            ["item_id"] = ResponseMessageId,
            ["output_index"] = 0,
            ["content_index"] = 0,
            ["part"] = OutputText(text),
        });
        AppendEvent(sse, "response.output_item.done", new JsonObject
        {
            ["type"] = "response.output_item.done",
            ["sequence_number"] = sequence++,
            ["output_index"] = 0,
            ["item"] = OutputMessage(text, "completed"),
        });
        AppendEvent(sse, "response.completed", new JsonObject
        {
            ["type"] = "response.completed",
            ["sequence_number"] = sequence,
            ["response"] = ResponseObject(model, "completed", OutputMessage(text, "completed"), ResponsesUsage(usage)),
        });
        return sse.ToString();
    }

    private static JsonObject ChatUsage(OpenAIWireUsage usage) => new()
    {
        ["prompt_tokens"] = usage.PromptTokens,
        ["completion_tokens"] = usage.CompletionTokens,
        ["total_tokens"] = usage.TotalTokens,
        ["prompt_tokens_details"] = new JsonObject
        {
            ["cached_tokens"] = usage.CachedTokens,
            ["audio_tokens"] = usage.PromptAudioTokens,
            ["cache_write_tokens"] = usage.CacheWriteTokens,
        },
        ["completion_tokens_details"] = new JsonObject
        {
            ["reasoning_tokens"] = usage.ReasoningTokens,
            ["audio_tokens"] = usage.CompletionAudioTokens,
            ["accepted_prediction_tokens"] = usage.AcceptedPredictionTokens,
            ["rejected_prediction_tokens"] = usage.RejectedPredictionTokens,
        },
    };

    private static JsonObject BareChatUsage(OpenAIWireUsage usage) => new()
    {
        ["prompt_tokens"] = usage.PromptTokens,
        ["completion_tokens"] = usage.CompletionTokens,
        ["total_tokens"] = usage.TotalTokens,
    };

    private static JsonObject ResponsesUsage(OpenAIWireUsage usage) => new()
    {
        ["input_tokens"] = usage.PromptTokens,
        ["input_tokens_details"] = new JsonObject { ["cached_tokens"] = usage.CachedTokens, ["cache_write_tokens"] = usage.CacheWriteTokens },
        ["output_tokens"] = usage.CompletionTokens,
        ["output_tokens_details"] = new JsonObject { ["reasoning_tokens"] = usage.ReasoningTokens },
        ["total_tokens"] = usage.TotalTokens,
    };

    private static string Chunk(string model, JsonObject delta, string? finishReason, bool usageNull)
    {
        var chunk = new JsonObject
        {
            ["id"] = ChatCompletionId,
            ["object"] = "chat.completion.chunk",
            ["created"] = Created,
            ["model"] = model,
            ["service_tier"] = "default",
            ["system_fingerprint"] = "fp_fc9f1d7035",
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["delta"] = delta,
                ["logprobs"] = null,
                ["finish_reason"] = finishReason,
            }),
        };
        if (usageNull)
        {
            // With include_usage the API sends "usage": null on every chunk that has choices.
            chunk["usage"] = null;
        }

        return chunk.ToJsonString();
    }

    private static JsonObject ResponseObject(string model, string status, JsonObject? output, JsonObject? usage) => new()
    {
        ["id"] = ResponseId,
        ["object"] = "response",
        ["created_at"] = Created,
        ["status"] = status,
        ["error"] = null,
        ["incomplete_details"] = null,
        ["instructions"] = null,
        ["max_output_tokens"] = null,
        ["model"] = model,
        ["output"] = output is null ? new JsonArray() : new JsonArray(output),
        ["parallel_tool_calls"] = true,
        ["previous_response_id"] = null,
        ["reasoning"] = new JsonObject { ["effort"] = null, ["summary"] = null },
        ["service_tier"] = "default",
        ["store"] = true,
        ["temperature"] = 1.0,
        ["text"] = new JsonObject { ["format"] = new JsonObject { ["type"] = "text" } },
        ["tool_choice"] = "auto",
        ["tools"] = new JsonArray(),
        ["top_p"] = 1.0,
        ["truncation"] = "disabled",
        ["usage"] = usage,
        ["user"] = null,
        ["metadata"] = new JsonObject(),
    };

    private static JsonObject OutputMessage(string? text, string status) => new()
    {
        ["id"] = ResponseMessageId,
        ["type"] = "message",
        ["status"] = status,
        ["role"] = "assistant",
        ["content"] = text is null ? new JsonArray() : new JsonArray(OutputText(text)),
    };

    private static JsonObject OutputText(string text) => new()
    {
        ["type"] = "output_text",
        ["text"] = text,
        ["annotations"] = new JsonArray(),
    };

    private static void AppendData(StringBuilder sse, string json) => sse.Append("data: ").Append(json).Append("\n\n");

    private static void AppendEvent(StringBuilder sse, string name, JsonObject data) =>
        sse.Append("event: ").Append(name).Append('\n').Append("data: ").Append(data.ToJsonString()).Append("\n\n");
}
