using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace AiOrchestrator.Tokens;

/// <summary>
/// Walks a chat request and adds up its input tokens with a given text measure, including the framing providers
/// add around messages and tool definitions.
/// </summary>
internal static class ChatTokenCounting
{
    /// <summary>Framing per message (role and separators); OpenAI documents 3, one more covers names and variants.</summary>
    internal const int PerMessage = 4;

    /// <summary>Tokens that prime the assistant's reply.</summary>
    internal const int ReplyPriming = 3;

    /// <summary>Framing around each tool call or tool result (ids, names, delimiters).</summary>
    internal const int PerToolCall = 8;

    /// <summary>Framing per tool definition, over its name, description and schema.</summary>
    internal const int PerToolDefinition = 16;

    /// <summary>Framing once per request that defines tools.</summary>
    internal const int ToolsPreamble = 16;

    /// <summary>
    /// Allowance per image or file. A high-detail image costs OpenAI models up to about 1,450 tokens and Claude
    /// about 1,600 for the largest accepted size; files vary too much to estimate from the request.
    /// </summary>
    internal const int PerAttachment = 1600;

    private static readonly ConditionalWeakTable<AITool, ToolTokens> ToolCache = [];

    public static double Count<TMeasure>(IEnumerable<ChatMessage> messages, ChatOptions? options, TMeasure measure)
        where TMeasure : struct, ITextMeasure
    {
        double tokens = ReplyPriming;
        foreach (var message in messages)
        {
            tokens += PerMessage + measure.Measure(message.Role.Value);
            if (message.AuthorName is { } author)
            {
                tokens += 1 + measure.Measure(author);
            }

            foreach (var content in message.Contents)
            {
                tokens += CountContent(content, measure);
            }
        }

        if (options is null)
        {
            return tokens;
        }

        if (options.Instructions is { } instructions)
        {
            tokens += PerMessage + measure.Measure(instructions);
        }

        if (options.ResponseFormat is ChatResponseFormatJson { Schema: { } schema })
        {
            tokens += measure.Measure(schema.GetRawText());
        }

        if (options.Tools is { Count: > 0 } tools)
        {
            tokens += ToolsPreamble;
            for (int i = 0; i < tools.Count; i++)
            {
                tokens += CountTool(tools[i], measure);
            }
        }

        return tokens;
    }

    private static double CountContent<TMeasure>(AIContent content, TMeasure measure)
        where TMeasure : struct, ITextMeasure
    {
        switch (content)
        {
            case TextContent text:
                return measure.Measure(text.Text);
            case TextReasoningContent reasoning:
                return measure.Measure(reasoning.Text);
            case FunctionCallContent call:
                double callTokens = PerToolCall + measure.Measure(call.Name) + measure.Measure(call.CallId);
                if (call.Arguments is { } arguments)
                {
                    foreach (var argument in arguments)
                    {
                        callTokens += 2 + measure.Measure(argument.Key) + CountValue(argument.Value, measure);
                    }
                }

                return callTokens;
            case FunctionResultContent result:
                return PerToolCall + measure.Measure(result.CallId) + CountValue(result.Result, measure);
            case DataContent or UriContent or HostedFileContent:
                return PerAttachment;
            default:
                return 0;
        }
    }

    private static double CountValue<TMeasure>(object? value, TMeasure measure)
        where TMeasure : struct, ITextMeasure => value switch
        {
            null => 1,
            string s => measure.Measure(s),
            JsonElement element => measure.Measure(element.GetRawText()),
            bool or int or long or double or decimal or float => measure.Measure(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)),
            _ => measure.Measure(SerializeOrDescribe(value)),
        };

    private static string SerializeOrDescribe(object value)
    {
        try
        {
            return JsonSerializer.Serialize(value, AIJsonUtilities.DefaultOptions.GetTypeInfo(value.GetType()));
        }
        catch (NotSupportedException)
        {
            return value.ToString() ?? string.Empty;
        }
    }

    private static double CountTool<TMeasure>(AITool tool, TMeasure measure)
        where TMeasure : struct, ITextMeasure
    {
        // Tool definitions are usually the same objects on every call: measure each once per encoding and mode.
        var cached = ToolCache.GetValue(tool, static _ => new ToolTokens());
        int slot = measure.CacheSlot;
        double known = Volatile.Read(ref cached.Tokens[slot]);
        if (known >= 0)
        {
            return known;
        }

        double tokens = PerToolDefinition + measure.Measure(tool.Name) + measure.Measure(tool.Description);
        if (tool is AIFunctionDeclaration function)
        {
            tokens += measure.Measure(function.JsonSchema.GetRawText());
        }

        Volatile.Write(ref cached.Tokens[slot], tokens);
        return tokens;
    }

    private sealed class ToolTokens
    {
        public readonly double[] Tokens = [-1, -1, -1, -1, -1];
    }
}
