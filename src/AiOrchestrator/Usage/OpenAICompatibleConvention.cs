namespace AiOrchestrator;

/// <summary>
/// How an OpenAI-compatible server counts the parts of its <c>usage</c> object, for
/// <see cref="OpenAIUsage.Parse(ReadOnlySpan{byte}, OpenAICompatibleConvention)"/>.
/// </summary>
public enum OpenAICompatibleConvention
{
    /// <summary>
    /// Decided from the usage itself: OpenAI's convention, except that reasoning tokens are added to the output when
    /// <c>total_tokens</c> shows they were counted apart (or when they exceed the completion tokens), and Perplexity's
    /// when the usage carries <c>citation_tokens</c> or <c>num_search_queries</c>.
    /// </summary>
    Auto = 0,

    /// <summary>
    /// OpenAI's: <c>prompt_tokens</c> includes cached, cache-write, audio and image tokens; <c>completion_tokens</c>
    /// includes reasoning, audio and image tokens.
    /// </summary>
    OpenAI,

    /// <summary>
    /// xAI's: as OpenAI's, except that <c>completion_tokens</c> excludes the reasoning tokens
    /// (<c>completion_tokens_details.reasoning_tokens</c>), which are billed as output and so added to it.
    /// </summary>
    XAI,

    /// <summary>
    /// DeepSeek's: as OpenAI's, with the cache reads in <c>prompt_cache_hit_tokens</c>
    /// (<c>prompt_tokens</c> = <c>prompt_cache_hit_tokens</c> + <c>prompt_cache_miss_tokens</c>).
    /// </summary>
    DeepSeek,

    /// <summary>
    /// Perplexity's: <c>reasoning_tokens</c> and <c>citation_tokens</c> are reported apart from
    /// <c>completion_tokens</c> and billed as output, so they are added to it; <c>num_search_queries</c> counts the
    /// billed web searches.
    /// </summary>
    Perplexity,
}
