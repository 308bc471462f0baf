using System.Text.Json;

namespace AiOrchestrator;

/// <summary>
/// Reads the <c>usage</c> object of Anthropic's Messages API into a <see cref="TokenUsage"/>.
/// </summary>
/// <remarks>
/// Anthropic's <c>input_tokens</c> excludes tokens read from or written to the prompt cache; they are reported in
/// <c>cache_read_input_tokens</c> and <c>cache_creation_input_tokens</c> (split into
/// <c>cache_creation.ephemeral_5m_input_tokens</c> and <c>ephemeral_1h_input_tokens</c> when present). They are added
/// back so that <see cref="TokenUsage.InputTokens"/> is every input token, as for OpenAI.
/// When streaming, <c>message_start</c> carries the input counts and <c>message_delta</c> the cumulative output
/// count (and, in newer API versions, the input counts again): use <see cref="Merge"/> to combine them.
/// </remarks>
public static class AnthropicUsage
{
    /// <summary>Parses a usage object given as UTF-8 JSON.</summary>
    /// <exception cref="InvalidUsageException">The JSON is malformed, not an object, or holds impossible counts.</exception>
    public static TokenUsage Parse(ReadOnlySpan<byte> utf8Json)
        => UsageJson.Parse(utf8Json, "Anthropic usage", static usage => Parse(usage));

    /// <summary>Parses a usage object.</summary>
    /// <exception cref="InvalidUsageException">The element is not an object or holds impossible counts.</exception>
    public static TokenUsage Parse(JsonElement usage)
    {
        UsageJson.RequireObject(usage, "Anthropic usage");
        var input = UsageJson.Count(usage, "input_tokens");
        var output = UsageJson.Count(usage, "output_tokens");
        if (input is null && output is null)
        {
            throw new InvalidUsageException("Anthropic usage has neither input_tokens nor output_tokens.");
        }

        var cacheRead = UsageJson.Count(usage, "cache_read_input_tokens") ?? 0;
        var cacheCreation = UsageJson.Count(usage, "cache_creation_input_tokens") ?? 0;
        long write5m = cacheCreation;
        long write1h = 0;
        if (UsageJson.Object(usage, "cache_creation") is { } split)
        {
            var s5 = UsageJson.Count(split, "ephemeral_5m_input_tokens");
            var s1 = UsageJson.Count(split, "ephemeral_1h_input_tokens");
            if (s5 is not null || s1 is not null)
            {
                write5m = s5 ?? 0;
                write1h = s1 ?? 0;
                if (cacheCreation != 0 && write5m + write1h != cacheCreation)
                {
                    throw new InvalidUsageException(
                        $"Anthropic usage is inconsistent: cache_creation splits ({write5m} + {write1h}) do not add up to cache_creation_input_tokens ({cacheCreation}).");
                }
            }
        }

        return new TokenUsage
        {
            InputTokens = (input ?? 0) + cacheRead + write5m + write1h,
            CachedInputTokens = cacheRead,
            CacheWriteTokens = write5m,
            CacheWrite1hTokens = write1h,
            OutputTokens = output ?? 0,
        }.Validate();
    }

    /// <summary>
    /// Combines the usage of a stream's <c>message_start</c> with a later <c>message_delta</c>: the output count of
    /// the later event is cumulative and replaces the earlier one; input counts are kept from whichever event has the
    /// larger (Anthropic repeats them, it never splits them). Cache writes are taken as a pair from the event with
    /// the larger total, preferring one that carries the 5-minute/1-hour split (a cumulative <c>message_delta</c> may
    /// report only the total, which reads as all 5-minute writes).
    /// </summary>
    public static TokenUsage Merge(TokenUsage start, TokenUsage delta)
    {
        var startWrites = start.CacheWriteTokens + start.CacheWrite1hTokens;
        var deltaWrites = delta.CacheWriteTokens + delta.CacheWrite1hTokens;
        var writes = startWrites > deltaWrites ? start
            : deltaWrites > startWrites ? delta
            : delta.CacheWrite1hTokens > 0 || start.CacheWrite1hTokens == 0 ? delta : start;
        return new TokenUsage
        {
            InputTokens = Math.Max(start.InputTokens, delta.InputTokens),
            CachedInputTokens = Math.Max(start.CachedInputTokens, delta.CachedInputTokens),
            CacheWriteTokens = writes.CacheWriteTokens,
            CacheWrite1hTokens = writes.CacheWrite1hTokens,
            OutputTokens = Math.Max(start.OutputTokens, delta.OutputTokens),
            IsEstimated = start.IsEstimated || delta.IsEstimated,
        }.Validate();
    }
}
