using System.Text.Json;
using Microsoft.Extensions.AI;

namespace AiOrchestrator.Caching;

/// <summary>
/// A cached chat answer held as plain immutable facts (roles, texts, ids, finish reasons, usage numbers), so a hit builds
/// fresh response objects for its caller in a few hundred nanoseconds instead of parsing JSON, and no caller can change
/// what the next caller receives. Only answers made of text (and usage) are captured; anything else (tool calls,
/// images, annotations, additional properties) is kept as M.E.AI JSON and parsed on each hit.
/// </summary>
internal sealed class ChatSnapshot
{
    private static readonly JsonSerializerOptions Json = AIJsonUtilities.DefaultOptions;

    private readonly Part[] _parts;
    private readonly bool _stream;

    private ChatSnapshot(Part[] parts, bool stream)
    {
        _parts = parts;
        _stream = stream;
    }

    /// <summary>A snapshot of <paramref name="response"/>, or null when it holds more than text.</summary>
    public static ChatSnapshot? Capture(ChatResponse response)
    {
        if (response.AdditionalProperties is { Count: > 0 } || response.ContinuationToken is not null)
        {
            return null;
        }

        var parts = new Part[response.Messages.Count];
        for (var i = 0; i < parts.Length; i++)
        {
            var message = response.Messages[i];
            if (message.AdditionalProperties is { Count: > 0 } || TextsOf(message.Contents, out _) is not { } texts)
            {
                return null;
            }

            parts[i] = new Part(message.Role, message.AuthorName, message.MessageId, message.CreatedAt, texts, null);
        }

        return new ChatSnapshot(parts, stream: false)
        {
            ResponseId = response.ResponseId,
            ConversationId = response.ConversationId,
            ModelId = response.ModelId,
            CreatedAt = response.CreatedAt,
            FinishReason = response.FinishReason,
            Usage = Copy(response.Usage),
        };
    }

    /// <summary>A snapshot of a streamed answer's updates, or null when one holds more than text and usage.</summary>
    public static ChatSnapshot? Capture(IReadOnlyList<ChatResponseUpdate> updates)
    {
        var parts = new Part[updates.Count];
        for (var i = 0; i < parts.Length; i++)
        {
            var u = updates[i];
            if (u.AdditionalProperties is { Count: > 0 } || u.ContinuationToken is not null || TextsOf(u.Contents, out var usage) is not { } texts)
            {
                return null;
            }

            parts[i] = new Part(u.Role, u.AuthorName, u.MessageId, u.CreatedAt, texts, Copy(usage))
            {
                ResponseId = u.ResponseId,
                ConversationId = u.ConversationId,
                ModelId = u.ModelId,
                FinishReason = u.FinishReason,
            };
        }

        return new ChatSnapshot(parts, stream: true);
    }

    private string? ResponseId { get; init; }

    private string? ConversationId { get; init; }

    private string? ModelId { get; init; }

    private DateTimeOffset? CreatedAt { get; init; }

    private ChatFinishReason? FinishReason { get; init; }

    private UsageDetails? Usage { get; init; }

    /// <summary>A fresh response for one caller.</summary>
    public ChatResponse ToResponse()
    {
        if (_stream)
        {
            return ToUpdates().ToChatResponse();
        }

        var messages = new List<ChatMessage>(_parts.Length);
        foreach (var part in _parts)
        {
            messages.Add(new ChatMessage(part.Role ?? ChatRole.Assistant, Contents(part, withUsage: false))
            {
                AuthorName = part.AuthorName,
                MessageId = part.MessageId,
                CreatedAt = part.CreatedAt,
            });
        }

        return new ChatResponse(messages)
        {
            ResponseId = ResponseId,
            ConversationId = ConversationId,
            ModelId = ModelId,
            CreatedAt = CreatedAt,
            FinishReason = FinishReason,
            Usage = Copy(Usage),
        };
    }

    /// <summary>Fresh updates for one streaming caller, in the order they were received.</summary>
    public List<ChatResponseUpdate> ToUpdates()
    {
        if (!_stream)
        {
            return [.. ToResponse().ToChatResponseUpdates()];
        }

        var updates = new List<ChatResponseUpdate>(_parts.Length);
        foreach (var part in _parts)
        {
            updates.Add(new ChatResponseUpdate(part.Role, Contents(part, withUsage: true))
            {
                AuthorName = part.AuthorName,
                MessageId = part.MessageId,
                CreatedAt = part.CreatedAt,
                ResponseId = part.ResponseId,
                ConversationId = part.ConversationId,
                ModelId = part.ModelId,
                FinishReason = part.FinishReason,
            });
        }

        return updates;
    }

    /// <summary>The M.E.AI JSON form (what a second cache level such as Redis stores).</summary>
    public byte[] ToJson() => _stream
        ? JsonSerializer.SerializeToUtf8Bytes(ToUpdates(), Json.GetTypeInfo(typeof(List<ChatResponseUpdate>)))
        : JsonSerializer.SerializeToUtf8Bytes(ToResponse(), Json.GetTypeInfo(typeof(ChatResponse)));

    private static List<AIContent> Contents(Part part, bool withUsage)
    {
        var contents = new List<AIContent>(part.Texts.Length + (withUsage && part.Usage is not null ? 1 : 0));
        foreach (var text in part.Texts)
        {
            contents.Add(new TextContent(text));
        }

        if (withUsage && part.Usage is not null)
        {
            contents.Add(new UsageContent(Copy(part.Usage)!));
        }

        return contents;
    }

    /// <summary>The texts of contents made of plain text (and, for stream updates, usage); null when anything else is there.</summary>
    private static string[]? TextsOf(IList<AIContent> contents, out UsageDetails? usage)
    {
        usage = null;
        var count = 0;
        foreach (var content in contents)
        {
            switch (content)
            {
                case TextContent { Annotations: null or { Count: 0 }, AdditionalProperties: null or { Count: 0 } } when content.GetType() == typeof(TextContent):
                    count++;
                    break;
                case UsageContent { AdditionalProperties: null or { Count: 0 } } u when usage is null:
                    usage = u.Details;
                    break;
                default:
                    return null;
            }
        }

        var texts = count == 0 ? [] : new string[count];
        var n = 0;
        foreach (var content in contents)
        {
            if (content is TextContent text)
            {
                texts[n++] = text.Text;
            }
        }

        return texts;
    }

    // Every count is copied, the ones M.E.AI marks experimental too: a hit must report what the call used.
#pragma warning disable MEAI001
    private static UsageDetails? Copy(UsageDetails? usage) => usage is null ? null : new UsageDetails
    {
        InputTokenCount = usage.InputTokenCount,
        OutputTokenCount = usage.OutputTokenCount,
        TotalTokenCount = usage.TotalTokenCount,
        CachedInputTokenCount = usage.CachedInputTokenCount,
        ReasoningTokenCount = usage.ReasoningTokenCount,
        InputTextTokenCount = usage.InputTextTokenCount,
        InputAudioTokenCount = usage.InputAudioTokenCount,
        OutputTextTokenCount = usage.OutputTextTokenCount,
        OutputAudioTokenCount = usage.OutputAudioTokenCount,
        AdditionalCounts = usage.AdditionalCounts is { Count: > 0 } extra ? new AdditionalPropertiesDictionary<long>(extra) : null,
    };
#pragma warning restore MEAI001

    private sealed record Part(ChatRole? Role, string? AuthorName, string? MessageId, DateTimeOffset? CreatedAt, string[] Texts, UsageDetails? Usage)
    {
        public string? ResponseId { get; init; }

        public string? ConversationId { get; init; }

        public string? ModelId { get; init; }

        public ChatFinishReason? FinishReason { get; init; }
    }
}
