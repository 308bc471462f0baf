using System.Text.Json;
using Microsoft.Extensions.AI;

namespace AiOrchestrator;

/// <summary>Turns M.E.AI <see cref="UsageDetails"/> into a normalised <see cref="TokenUsage"/>.</summary>
public static class UsageDetailsExtensions
{
    /// <summary>
    /// Normalises usage reported through M.E.AI. M.E.AI's convention, which the OpenAI and Anthropic adapters follow,
    /// is that <see cref="UsageDetails.InputTokenCount"/> counts every input token (cache reads and writes included)
    /// and <see cref="UsageDetails.OutputTokenCount"/> every output token; cache writes come from
    /// <see cref="UsageDetails.AdditionalCounts"/> (<c>CacheCreationInputTokens</c>).
    /// </summary>
    /// <param name="details">The reported usage.</param>
    /// <param name="rawRepresentation">
    /// The provider's raw response or first stream event, when available. Anthropic's split of cache writes into
    /// 5-minute and 1-hour writes (priced differently) is only there; without it every cache write is priced as a
    /// 5-minute write.
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

        var writes = Find(extra, UsageCountKeys.CacheWrite) ?? 0;
        long write1h = 0;
        if (writes > 0 && rawRepresentation is not null)
        {
            write1h = Math.Min(writes, OneHourCacheWrites(rawRepresentation));
        }

        // An adapter that reports its input without cache traffic (Anthropic's wire convention) is put right.
        if (input < cached + writes + inputAudio)
        {
            input += cached + writes;
        }

        // An adapter that reports reasoning apart from the output (Gemini's thoughts) gives itself away in the total.
        if (reasoning > 0 && details.TotalTokenCount is { } total && total == input + output + reasoning)
        {
            output += reasoning;
        }

        return new TokenUsage
        {
            InputTokens = input,
            CachedInputTokens = cached,
            CacheWriteTokens = writes - write1h,
            CacheWrite1hTokens = write1h,
            InputAudioTokens = inputAudio,
            OutputTokens = output,
            ReasoningTokens = reasoning,
            OutputAudioTokens = outputAudio,
        }.Validate();
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

    /// <summary>
    /// Reads <c>cache_creation.ephemeral_1h_input_tokens</c> from a provider object by serialising it back to its
    /// wire JSON (SDK models carry their JSON converters). Only called when a response wrote to the cache.
    /// </summary>
    private static long OneHourCacheWrites(object raw)
    {
        try
        {
            var json = raw as JsonElement? ?? JsonSerializer.SerializeToElement(raw, raw.GetType());
            return FindOneHour(json, depth: 0) ?? 0;
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException)
        {
            return 0;
        }
    }

    private static long? FindOneHour(JsonElement element, int depth)
    {
        if (depth > 4 || element.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        if (element.TryGetProperty("ephemeral_1h_input_tokens", out var value) && value.TryGetInt64(out var count))
        {
            return count;
        }

        foreach (var name in (ReadOnlySpan<string>)["cache_creation", "usage", "message"])
        {
            if (element.TryGetProperty(name, out var child) && FindOneHour(child, depth + 1) is { } found)
            {
                return found;
            }
        }

        return null;
    }
}
