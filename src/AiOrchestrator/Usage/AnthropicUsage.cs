using System.Text.Json;

namespace AiOrchestrator;

/// <summary>
/// Reads the <c>usage</c> object of Anthropic's Messages API (also as served by AWS Bedrock, Google Vertex AI and
/// Anthropic-compatible servers) into a <see cref="TokenUsage"/>.
/// </summary>
/// <remarks>
/// <para>Anthropic's <c>input_tokens</c> excludes tokens read from or written to the prompt cache; they are reported in
/// <c>cache_read_input_tokens</c> and <c>cache_creation_input_tokens</c> (split into
/// <c>cache_creation.ephemeral_5m_input_tokens</c> and <c>ephemeral_1h_input_tokens</c> when present). They are added
/// back so that <see cref="TokenUsage.InputTokens"/> is every input token, as for OpenAI.
/// <c>output_tokens</c> includes thinking (<c>output_tokens_details.thinking_tokens</c>, read as reasoning).
/// <c>server_tool_use.web_search_requests</c> counts the billed web searches.</para>
/// <para>When streaming, <c>message_start</c> carries the input counts and <c>message_delta</c> the cumulative output
/// count (and, in newer API versions, the input counts and server tool use again): use <see cref="Merge"/> to
/// combine them.</para>
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
            var s5 = UsageJson.Count(split, "ephemeral_5m_input_tokens") ?? 0;
            var s1 = UsageJson.Count(split, "ephemeral_1h_input_tokens") ?? 0;

            // A split of zeros next to a positive total states no lifetime (the default, five minutes).
            if (s5 + s1 > 0)
            {
                if (cacheCreation != 0 && s5 + s1 != cacheCreation)
                {
                    throw new InvalidUsageException(
                        $"Anthropic usage is inconsistent: cache_creation splits ({s5} + {s1}) do not add up to cache_creation_input_tokens ({cacheCreation}).");
                }

                write5m = s5;
                write1h = s1;
            }
        }

        long webSearches = 0;
        if (UsageJson.Object(usage, "server_tool_use") is { } tools)
        {
            webSearches = UsageJson.Count(tools, "web_search_requests") ?? 0;

            // Web fetches have no charge of their own (the fetched content is billed as input tokens) and no unit in
            // the price feed's registry: the count is checked and otherwise ignored.
            _ = UsageJson.Count(tools, "web_fetch_requests");
        }

        return new TokenUsage
        {
            InputTokens = (input ?? 0) + cacheRead + write5m + write1h,
            CachedInputTokens = cacheRead,
            CacheWriteTokens = write5m,
            CacheWrite1hTokens = write1h,
            OutputTokens = output ?? 0,
            ReasoningTokens = UsageJson.Count(UsageJson.Object(usage, "output_tokens_details"), "thinking_tokens") ?? 0,
            WebSearches = webSearches,
        }.Validate();
    }

    /// <summary>
    /// Combines the usage of a stream's <c>message_start</c> with a later <c>message_delta</c>. Every count of the
    /// later event is cumulative, so each count is the larger of the two (Anthropic repeats counts, it never splits
    /// them across events): the output, reasoning and web searches of the delta replace the start's, and input counts
    /// are kept from whichever event has the larger. Cache writes are taken as a pair from the event with the larger
    /// total, preferring one that carries the 5-minute/1-hour split (a cumulative <c>message_delta</c> reports only the
    /// total, which reads as all 5-minute writes).
    /// </summary>
    /// <exception cref="InvalidUsageException">The combined counts are inconsistent.</exception>
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
            InputAudioTokens = Math.Max(start.InputAudioTokens, delta.InputAudioTokens),
            CachedAudioInputTokens = Math.Max(start.CachedAudioInputTokens, delta.CachedAudioInputTokens),
            InputImageTokens = Math.Max(start.InputImageTokens, delta.InputImageTokens),
            CachedImageInputTokens = Math.Max(start.CachedImageInputTokens, delta.CachedImageInputTokens),
            InputVideoTokens = Math.Max(start.InputVideoTokens, delta.InputVideoTokens),
            CachedVideoInputTokens = Math.Max(start.CachedVideoInputTokens, delta.CachedVideoInputTokens),
            OutputTokens = Math.Max(start.OutputTokens, delta.OutputTokens),
            ReasoningTokens = Math.Max(start.ReasoningTokens, delta.ReasoningTokens),
            OutputAudioTokens = Math.Max(start.OutputAudioTokens, delta.OutputAudioTokens),
            OutputImageTokens = Math.Max(start.OutputImageTokens, delta.OutputImageTokens),
            OutputVideoTokens = Math.Max(start.OutputVideoTokens, delta.OutputVideoTokens),
            CitationTokens = Math.Max(start.CitationTokens, delta.CitationTokens),
            WebSearches = Math.Max(start.WebSearches, delta.WebSearches),
            IsEstimated = start.IsEstimated || delta.IsEstimated,
        }.Validate();
    }
}
