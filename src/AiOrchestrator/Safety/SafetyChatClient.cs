using System.Runtime.CompilerServices;
using System.Text.Json;
using AiOrchestrator.Metering;
using AiOrchestrator.Pipeline;
using Microsoft.Extensions.AI;

namespace AiOrchestrator.Safety;

/// <summary>
/// The safety stage of the <c>IChatClient</c> pipeline (<c>UseSafety</c>, and the outermost stage of
/// <c>UseAiOrchestrator</c> after the scope): before anything else sees the request (the cache key, the token estimate,
/// the budget, the provider), every text of the call — instructions, messages, tool results and tool-call arguments —
/// goes through <see cref="SafetyGuard.CheckInputAsync"/> once; a blocked call throws
/// <see cref="SafetyPolicyViolationException"/> and reaches nobody, costs nothing and reserves nothing; a redacted call
/// goes on with placeholders. The answer comes back through <see cref="SafetyGuard.CheckOutput"/> (secrets the model
/// writes are filtered, placeholders restored), text and tool-call arguments alike; a stream goes through
/// <see cref="SafetyGuard.CreateStreamingOutput"/>: filtered and restored chunk by chunk, with a short window held back
/// so a value or a placeholder split over two chunks is handled whole. The values live only in this call's memory. The rules are
/// the guard's: the <c>HttpClient</c> pipeline adapts its wire formats to the same guard.
/// </summary>
internal sealed class SafetyChatClient : DelegatingChatClient
{
    private static readonly JsonSerializerOptions Json = AIJsonUtilities.DefaultOptions;

    private readonly SafetyGuard _guard;
    private readonly UsageMeter _meter;

    public SafetyChatClient(IChatClient innerClient, SafetyGuard guard, UsageMeter meter)
        : base(innerClient)
    {
        _guard = guard;
        _meter = meter;
    }

    /// <inheritdoc/>
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var scope = _meter.ResolveScope(options);
        (options, var callId) = WithCallId(options);
        var (safeMessages, safeOptions, session) = await CheckInputAsync(messages, options, scope, callId, cancellationToken).ConfigureAwait(false);
        var response = await base.GetResponseAsync(safeMessages, safeOptions, cancellationToken).ConfigureAwait(false);
        foreach (var message in response.Messages)
        {
            RestoreContents(message.Contents, session, scope, callId);
        }

        return response;
    }

    /// <inheritdoc/>
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var scope = _meter.ResolveScope(options);
        (options, var callId) = WithCallId(options);
        var (safeMessages, safeOptions, session) = await CheckInputAsync(messages, options, scope, callId, cancellationToken).ConfigureAwait(false);
        var restorer = _guard.CreateStreamingOutput(session, scope, SafetyTextKind.Assistant, callId);
        ChatResponseUpdate? last = null;
        await foreach (var received in base.GetStreamingResponseAsync(safeMessages, safeOptions, cancellationToken).ConfigureAwait(false))
        {
            // The updates are copied, never changed: a stage further in (the cache) keeps the ones it received, with
            // their placeholders, and must never see the restored values.
            var update = received;
            for (var i = 0; i < received.Contents.Count; i++)
            {
                var content = received.Contents[i];
                AIContent? restored = content switch
                {
                    TextContent text when text.GetType() == typeof(TextContent) => Changed(text.Text, restorer.Append(text.Text)) is { } t
                        ? new TextContent(t) { AdditionalProperties = text.AdditionalProperties, Annotations = text.Annotations }
                        : null,
                    FunctionCallContent call when session.Count > 0 && RestoredArguments(call, session) is { } arguments
                        => new FunctionCallContent(call.CallId, call.Name, arguments) { AdditionalProperties = call.AdditionalProperties },
                    _ => null,
                };
                if (restored is null)
                {
                    continue;
                }

                if (ReferenceEquals(update, received))
                {
                    update = CopyOf(received);
                }

                update.Contents[i] = restored;
            }

            last = update;
            yield return update;
        }

        // The tail held back (a possible placeholder, or the output filter's window), and the answer's output decision.
        var tail = restorer.Flush();
        if (tail.Length > 0)
        {
            yield return new ChatResponseUpdate(ChatRole.Assistant, tail)
            {
                MessageId = last?.MessageId,
                ResponseId = last?.ResponseId,
                ModelId = last?.ModelId,
            };
        }
    }

    /// <summary>Checks every text of the call at once; returns what to send (copies, when anything was redacted).</summary>
    private async ValueTask<(IEnumerable<ChatMessage> Messages, ChatOptions? Options, RedactionSession Session)> CheckInputAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options, AiScope scope, AiCallId? callId, CancellationToken cancellationToken)
    {
        var list = messages as IList<ChatMessage> ?? [.. messages];
        var texts = new List<SafetyText>();
        if (options?.Instructions is { } instructions)
        {
            texts.Add(new SafetyText(instructions, SafetyTextKind.System));
        }

        foreach (var message in list)
        {
            var kind = KindOf(message.Role);
            foreach (var content in message.Contents)
            {
                switch (content)
                {
                    case TextContent text when text.GetType() == typeof(TextContent):
                        texts.Add(new SafetyText(text.Text, kind));
                        break;
                    case FunctionCallContent call when call.Arguments is { Count: > 0 }:
                        texts.Add(new SafetyText(JsonSerializer.Serialize(call.Arguments, Json.GetTypeInfo(typeof(IDictionary<string, object?>))), SafetyTextKind.ToolCallArguments));
                        break;
                    case FunctionResultContent result when result.Result is not null:
                        texts.Add(new SafetyText(ResultText(result.Result), SafetyTextKind.ToolResult));
                        break;
                }
            }
        }

        var checkedInput = await _guard.CheckInputAsync(texts, scope, callId, cancellationToken).ConfigureAwait(false);
        var safe = checkedInput.Texts;
        var changed = false;
        for (var i = 0; i < texts.Count && !changed; i++)
        {
            changed = !string.Equals(texts[i].Text, safe[i], StringComparison.Ordinal);
        }

        if (!changed)
        {
            return (list, options, checkedInput.Session);
        }

        // Copies: the caller's messages and options are never changed; a content is replaced only when its text was.
        var next = 0;
        bool Changed(int i) => !string.Equals(texts[i].Text, safe[i], StringComparison.Ordinal);
        ChatOptions? safeOptions = options;
        if (options?.Instructions is not null)
        {
            if (Changed(next))
            {
                safeOptions = options.Clone();
                safeOptions.Instructions = safe[next];
            }

            next++;
        }

        var safeMessages = new List<ChatMessage>(list.Count);
        foreach (var message in list)
        {
            var contents = new List<AIContent>(message.Contents.Count);
            foreach (var content in message.Contents)
            {
                var checkedText = (content is TextContent && content.GetType() == typeof(TextContent))
                    || content is FunctionCallContent { Arguments.Count: > 0 } or FunctionResultContent { Result: not null };
                if (!checkedText)
                {
                    contents.Add(content);
                    continue;
                }

                var index = next++;
                contents.Add(!Changed(index) ? content : content switch
                {
                    TextContent text => new TextContent(safe[index]) { AdditionalProperties = text.AdditionalProperties, Annotations = text.Annotations },
                    FunctionCallContent call => new FunctionCallContent(call.CallId, call.Name, ParseArguments(safe[index])),
                    FunctionResultContent result => new FunctionResultContent(result.CallId, safe[index]),
                    _ => content,
                });
            }

            safeMessages.Add(new ChatMessage(message.Role, contents)
            {
                AuthorName = message.AuthorName,
                MessageId = message.MessageId,
                CreatedAt = message.CreatedAt,
                AdditionalProperties = message.AdditionalProperties,
            });
        }

        return (safeMessages, safeOptions, checkedInput.Session);
    }

    private void RestoreContents(IList<AIContent> contents, RedactionSession session, AiScope scope, AiCallId? callId)
    {
        foreach (var content in contents)
        {
            switch (content)
            {
                case TextContent text when text.GetType() == typeof(TextContent):
                    var output = _guard.CheckOutput(text.Text, session, scope, SafetyTextKind.Assistant, callId);
                    text.Text = output.Text;
                    break;
                case FunctionCallContent call:
                    RestoreArguments(call, session);
                    break;
            }
        }
    }

    /// <summary>
    /// With an audit log, the call's id is chosen here, before the cache and the call object exist, and travels in the
    /// options, so the safety entries, the usage records and the other audit entries of the call share it.
    /// </summary>
    private (ChatOptions? Options, AiCallId? CallId) WithCallId(ChatOptions? options)
    {
        if (_guard.Audit is null)
        {
            return (options, null);
        }

        var id = AiCallId.New(_meter.TimeProvider.GetUtcNow());
        var withId = options?.Clone() ?? new ChatOptions();
        (withId.AdditionalProperties ??= [])[AiCall.CallIdKey] = id;
        return (withId, id);
    }

    /// <summary>Restores the placeholders inside a tool call's arguments (the model calls tools with what it was given).</summary>
    private static void RestoreArguments(FunctionCallContent call, RedactionSession session)
    {
        if (session.Count > 0 && RestoredArguments(call, session) is { } arguments)
        {
            call.Arguments = arguments;
        }
    }

    /// <summary>The call's arguments with the placeholders restored, or null when there is nothing to restore.</summary>
    private static Dictionary<string, object?>? RestoredArguments(FunctionCallContent call, RedactionSession session)
    {
        if (call.Arguments is not { Count: > 0 } arguments)
        {
            return null;
        }

        var json = JsonSerializer.Serialize(arguments, Json.GetTypeInfo(typeof(IDictionary<string, object?>)));
        var restored = session.RestoreJson(json);
        return string.Equals(json, restored, StringComparison.Ordinal) ? null : ParseArguments(restored);
    }

    private static string? Changed(string before, string after) => string.Equals(before, after, StringComparison.Ordinal) ? null : after;

    private static ChatResponseUpdate CopyOf(ChatResponseUpdate update) => new(update.Role, [.. update.Contents])
    {
        AuthorName = update.AuthorName,
        MessageId = update.MessageId,
        ResponseId = update.ResponseId,
        ConversationId = update.ConversationId,
        CreatedAt = update.CreatedAt,
        FinishReason = update.FinishReason,
        ModelId = update.ModelId,
        AdditionalProperties = update.AdditionalProperties,
        RawRepresentation = update.RawRepresentation,
        ContinuationToken = update.ContinuationToken,
    };

    private static Dictionary<string, object?> ParseArguments(string json)
    {
        var arguments = new Dictionary<string, object?>(StringComparer.Ordinal);
        using var document = JsonDocument.Parse(json);
        foreach (var property in document.RootElement.EnumerateObject())
        {
            arguments[property.Name] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : property.Value.Clone();
        }

        return arguments;
    }

    private static string ResultText(object result) => result switch
    {
        string s => s,
        JsonElement { ValueKind: JsonValueKind.String } e => e.GetString() ?? string.Empty,
        _ => JsonSerializer.Serialize(result, Json.GetTypeInfo(result.GetType())),
    };

    private static SafetyTextKind KindOf(ChatRole role)
        => role == ChatRole.User ? SafetyTextKind.User
            : role == ChatRole.System ? SafetyTextKind.System
            : role == ChatRole.Tool ? SafetyTextKind.ToolResult
            : SafetyTextKind.Assistant;
}
