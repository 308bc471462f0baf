using System.Reflection;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace AiOrchestrator;

/// <summary>Turns M.E.AI <see cref="UsageDetails"/> into a normalised <see cref="TokenUsage"/>.</summary>
public static class UsageDetailsExtensions
{
    /// <summary>
    /// Normalises usage reported through M.E.AI. M.E.AI's convention, which the OpenAI and Anthropic adapters follow,
    /// is that <see cref="UsageDetails.InputTokenCount"/> counts every input token (cache reads and writes included)
    /// and <see cref="UsageDetails.OutputTokenCount"/> every output token; the parts come from the typed properties and
    /// from <see cref="UsageDetails.AdditionalCounts"/> (<c>InputTokenDetails.AudioTokenCount</c>,
    /// <c>InputTokenDetails.ImageTokenCount</c>, <c>OutputTokenDetails.AudioTokenCount</c>,
    /// <c>CacheCreationInputTokens</c>, <c>WebSearchRequests</c>, …).
    /// </summary>
    /// <param name="details">The reported usage.</param>
    /// <param name="rawRepresentation">
    /// The provider's raw response, or the raw stream event that carried the usage (or, for Anthropic, the first
    /// stream event, <c>message_start</c>), when available. What the adapters drop is read from it: Anthropic's split
    /// of cache writes into 5-minute and 1-hour writes and its web searches; OpenAI's <c>cache_write_tokens</c>, image
    /// tokens and cached audio/image tokens; Gemini's modality details. Without it every cache write is priced as a
    /// 5-minute write and those parts are not counted. Counts from it that do not fit the reported totals are ignored.
    /// </param>
    /// <exception cref="InvalidUsageException">A count is negative, absurd or inconsistent.</exception>
    public static TokenUsage ToTokenUsage(this UsageDetails details, object? rawRepresentation = null)
    {
        ArgumentNullException.ThrowIfNull(details);
        var extra = details.AdditionalCounts;
        var input = details.InputTokenCount ?? 0;
        var output = details.OutputTokenCount ?? 0;
        var cached = details.CachedInputTokenCount ?? Find(extra, UsageCountKeys.CachedInput) ?? 0;
        var reasoning = details.ReasoningTokenCount ?? Find(extra, UsageCountKeys.Reasoning) ?? 0;
#pragma warning disable MEAI001 // The typed audio counts are experimental; the adapters report them in AdditionalCounts today.
        var inputAudio = Find(extra, UsageCountKeys.InputAudio) ?? details.InputAudioTokenCount ?? 0;
        var outputAudio = Find(extra, UsageCountKeys.OutputAudio) ?? details.OutputAudioTokenCount ?? 0;
#pragma warning restore MEAI001
        var inputImage = Find(extra, UsageCountKeys.InputImage);
        var webSearches = Find(extra, UsageCountKeys.WebSearches);

        var reportedWrites = Find(extra, UsageCountKeys.CacheWrite);
        var writes = reportedWrites ?? 0;

        // An adapter that reports its input without cache traffic (Anthropic's wire convention) is put right.
        if (input < cached + writes + inputAudio)
        {
            input += cached + writes;
        }

        // An adapter that reports reasoning apart from the output (Gemini's thoughts, xAI's reasoning) gives itself
        // away in the total.
        if (reasoning > 0 && details.TotalTokenCount is { } total && total == input + output + reasoning)
        {
            output += reasoning;
        }

        var reported = new TokenUsage
        {
            InputTokens = input,
            CachedInputTokens = cached,
            CacheWriteTokens = writes,
            InputAudioTokens = inputAudio,
            InputImageTokens = inputImage ?? 0,
            OutputTokens = output,
            ReasoningTokens = reasoning,
            OutputAudioTokens = outputAudio,
            WebSearches = webSearches ?? 0,
        }.Validate();

        if (rawRepresentation is null || RawUsage.Read(rawRepresentation) is not { } wire)
        {
            return reported;
        }

        // The raw usage of the same OpenAI-format event is the whole story (compatible servers' conventions included:
        // Perplexity's citations and searches, which the adapter drops): take it when it describes the same call.
        if (wire.Kind == RawUsageKind.OpenAI && wire.Usage.InputTokens == input && wire.Usage.OutputTokens >= output)
        {
            return wire.Usage;
        }

        var completed = reported;
        if (reportedWrites is not null)
        {
            // Anthropic: the total comes from the adapter, the split only from the raw response or message_start.
            var write1h = Math.Min(writes, wire.Usage.CacheWrite1hTokens);
            completed = completed with { CacheWriteTokens = writes - write1h, CacheWrite1hTokens = write1h };
        }
        else if (reportedWrites is null && wire.Kind == RawUsageKind.OpenAI)
        {
            // OpenAI's cache_write_tokens are inside prompt_tokens; the adapter does not report them.
            completed = completed with { CacheWriteTokens = wire.Usage.CacheWriteTokens, CacheWrite1hTokens = wire.Usage.CacheWrite1hTokens };
        }

        completed = completed with
        {
            CachedAudioInputTokens = wire.Usage.CachedAudioInputTokens,
            InputImageTokens = inputImage ?? wire.Usage.InputImageTokens,
            CachedImageInputTokens = wire.Usage.CachedImageInputTokens,
            InputVideoTokens = wire.Usage.InputVideoTokens,
            CachedVideoInputTokens = wire.Usage.CachedVideoInputTokens,
            OutputImageTokens = wire.Usage.OutputImageTokens,
            OutputVideoTokens = wire.Usage.OutputVideoTokens,
            CitationTokens = wire.Usage.CitationTokens,
            WebSearches = webSearches ?? wire.Usage.WebSearches,
        };

        // Gemini's adapters report no modality parts of their own: take them from usageMetadata.
        if (wire.Kind == RawUsageKind.Gemini)
        {
            completed = completed with
            {
                InputAudioTokens = Math.Max(inputAudio, wire.Usage.InputAudioTokens),
                OutputAudioTokens = Math.Max(outputAudio, wire.Usage.OutputAudioTokens),
            };
        }

        try
        {
            return completed.Validate();
        }
        catch (InvalidUsageException)
        {
            // The raw representation describes another event than the one the totals came from: keep the totals.
            return reported;
        }
    }

    private static long? Find(AdditionalPropertiesDictionary<long>? extra, string[] keys)
    {
        if (extra is null || extra.Count == 0)
        {
            return null;
        }

        foreach (var key in keys)
        {
            if (extra.TryGetValue(key, out var value))
            {
                return value;
            }
        }

        return null;
    }
}

/// <summary>Which wire format a raw usage object was in.</summary>
internal enum RawUsageKind
{
    OpenAI,
    Anthropic,
    Gemini,
}

/// <summary>
/// Reads the usage object out of a provider SDK's raw response or stream event: a <see cref="JsonElement"/>, an
/// OpenAI SDK model (written back to its wire JSON through System.ClientModel's <c>IPersistableModel</c>), or any model
/// whose JSON serialisation is its wire JSON (the Anthropic SDK's models carry their converters).
/// </summary>
internal static class RawUsage
{
    private const int MaxDepth = 4;

    public static (RawUsageKind Kind, TokenUsage Usage)? Read(object raw)
    {
        try
        {
            // An SDK model's usage alone is much smaller to write out than the whole response.
            var json = ToJson(UsageProperty(raw) ?? raw);
            return json is { } root ? FromJson(root, depth: 0) : null;
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException
            or InvalidUsageException or TargetInvocationException or ArgumentException or AmbiguousMatchException)
        {
            return null;
        }
    }

    /// <summary>The SDK model's <c>Usage</c> (or its response's or message's), found by name; null for JSON or other objects.</summary>
    private static object? UsageProperty(object raw)
        => Property(raw, "Usage")
            ?? (Property(raw, "Response") is { } response ? Property(response, "Usage") : null)
            ?? (Property(raw, "Message") is { } message ? Property(message, "Usage") : null);

    private static object? Property(object owner, string name)
        => owner.GetType().GetProperty(name, BindingFlags.Public | BindingFlags.Instance) is { GetMethod: not null } property
            && property.GetIndexParameters().Length == 0 ? property.GetValue(owner) : null;

    private static (RawUsageKind Kind, TokenUsage Usage)? FromJson(JsonElement element, int depth)
    {
        if (depth > MaxDepth || element.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        if (KindOf(element) is { } kind)
        {
            return (kind, kind switch
            {
                RawUsageKind.Anthropic => AnthropicUsage.Parse(element),
                RawUsageKind.Gemini => GeminiUsage.Parse(element),
                _ => OpenAIUsage.Parse(element),
            });
        }

        // A response holds its usage; a stream event holds it directly or in its message (message_start) or response
        // (response.completed).
        foreach (var name in (ReadOnlySpan<string>)["usage", "usageMetadata", "usage_metadata", "message", "response"])
        {
            if (element.TryGetProperty(name, out var child) && FromJson(child, depth + 1) is { } found)
            {
                return found;
            }
        }

        return null;
    }

    /// <summary>The format of a usage object, by the fields only that format has; null when it is not one.</summary>
    private static RawUsageKind? KindOf(JsonElement usage)
    {
        if (usage.TryGetProperty("promptTokenCount", out _) || usage.TryGetProperty("candidatesTokenCount", out _))
        {
            return RawUsageKind.Gemini;
        }

        if (usage.TryGetProperty("cache_creation_input_tokens", out _) || usage.TryGetProperty("cache_read_input_tokens", out _)
            || usage.TryGetProperty("cache_creation", out _) || usage.TryGetProperty("server_tool_use", out _))
        {
            return RawUsageKind.Anthropic;
        }

        if (usage.TryGetProperty("prompt_tokens", out _) || usage.TryGetProperty("completion_tokens", out _)
            || usage.TryGetProperty("input_tokens_details", out _) || usage.TryGetProperty("output_tokens_details", out _)
            || usage.TryGetProperty("input_token_details", out _))
        {
            return usage.TryGetProperty("output_tokens_details", out var d) && d.ValueKind == JsonValueKind.Object
                && d.TryGetProperty("thinking_tokens", out _) ? RawUsageKind.Anthropic : RawUsageKind.OpenAI;
        }

        // Anything else (an Anthropic usage of input and output tokens alone among them) has no part that the adapters
        // do not report.
        return null;
    }

    private static JsonElement? ToJson(object raw)
    {
        switch (raw)
        {
            case JsonElement element:
                return element;
            case JsonDocument document:
                return document.RootElement;
            case string text:
                using (var parsed = JsonDocument.Parse(text))
                {
                    return parsed.RootElement.Clone();
                }
        }

        if (PersistableJson(raw) is { } wire)
        {
            using var parsed = JsonDocument.Parse(wire);
            return parsed.RootElement.Clone();
        }

        return JsonSerializer.SerializeToElement(raw, raw.GetType());
    }

    /// <summary>
    /// The wire JSON of a System.ClientModel model (the OpenAI SDK's), written through its
    /// <c>IPersistableModel&lt;T&gt;.Write</c> with the JSON format; found by name so that no reference is needed.
    /// </summary>
    private static string? PersistableJson(object raw)
    {
        foreach (var contract in raw.GetType().GetInterfaces())
        {
            if (!contract.IsGenericType || contract.GetGenericTypeDefinition().FullName != "System.ClientModel.Primitives.IPersistableModel`1")
            {
                continue;
            }

            var options = contract.Assembly.GetType("System.ClientModel.Primitives.ModelReaderWriterOptions")
                ?.GetProperty("Json", BindingFlags.Public | BindingFlags.Static)?.GetValue(null);
            var write = contract.GetMethod("Write");
            return options is null || write is null ? null : write.Invoke(raw, [options])?.ToString();
        }

        return null;
    }
}
