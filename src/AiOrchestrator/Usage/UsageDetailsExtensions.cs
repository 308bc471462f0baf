using Microsoft.Extensions.AI;

namespace AiOrchestrator;

/// <summary>Turns M.E.AI <see cref="UsageDetails"/> into a normalised <see cref="TokenUsage"/>.</summary>
public static class UsageDetailsExtensions
{
    /// <summary>
    /// Normalises usage reported through M.E.AI. Typed properties are used first; <see cref="UsageDetails.AdditionalCounts"/>
    /// fill in what they lack (cache writes, the 5-minute/1-hour split, and older adapters' detail keys).
    /// </summary>
    /// <remarks>
    /// M.E.AI's convention is that <see cref="UsageDetails.InputTokenCount"/> counts every input token and
    /// <see cref="UsageDetails.OutputTokenCount"/> every output token. Adapters that report cache writes or reasoning
    /// apart from those totals are detected from <see cref="UsageDetails.TotalTokenCount"/> and added in, so the
    /// same response costs the same whichever adapter delivered it.
    /// </remarks>
    /// <exception cref="InvalidUsageException">A count is negative, absurd or inconsistent.</exception>
    public static TokenUsage ToTokenUsage(this UsageDetails details)
    {
        ArgumentNullException.ThrowIfNull(details);
        var extra = details.AdditionalCounts;
        var input = details.InputTokenCount ?? 0;
        var output = details.OutputTokenCount ?? 0;
        var cached = details.CachedInputTokenCount ?? Find(extra, UsageCountKeys.CachedInput) ?? 0;
        var reasoning = details.ReasoningTokenCount ?? Find(extra, UsageCountKeys.Reasoning) ?? 0;
        var inputAudio = details.InputAudioTokenCount ?? Find(extra, UsageCountKeys.InputAudio) ?? 0;
        var outputAudio = details.OutputAudioTokenCount ?? Find(extra, UsageCountKeys.OutputAudio) ?? 0;

        long write5m = 0;
        long write1h = 0;
        var split5m = Find(extra, UsageCountKeys.CacheWrite5m);
        var split1h = Find(extra, UsageCountKeys.CacheWrite1h);
        var writes = Find(extra, UsageCountKeys.CacheWrite);
        if (split5m is not null || split1h is not null)
        {
            write5m = split5m ?? 0;
            write1h = split1h ?? 0;
        }
        else if (writes is not null)
        {
            write5m = writes.Value;
        }

        // Some adapters leave cache writes (or reasoning) out of the input (or output) total; the reported grand
        // total tells: when it equals the sum with the part added, the part was left out.
        if (details.TotalTokenCount is { } total && total > input + output)
        {
            var missing = total - input - output;
            if (write5m + write1h > 0 && missing >= write5m + write1h && input < cached + write5m + write1h + inputAudio + 1)
            {
                input += write5m + write1h;
                missing -= write5m + write1h;
            }
            else if (write5m + write1h > 0 && missing == write5m + write1h)
            {
                input += write5m + write1h;
                missing = 0;
            }

            if (reasoning > 0 && missing == reasoning)
            {
                output += reasoning;
            }
        }

        if (input < cached + write5m + write1h + inputAudio)
        {
            // The adapter's input count excludes cache traffic (Anthropic's convention): add it back.
            input += cached + write5m + write1h;
        }

        return new TokenUsage
        {
            InputTokens = input,
            CachedInputTokens = cached,
            CacheWriteTokens = write5m,
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
}
