using System.Text.Json;

namespace AiOrchestrator;

/// <summary>
/// Reads the <c>usage</c> object of OpenAI's Chat Completions, Responses, Images and Realtime APIs (and of
/// OpenAI-compatible servers such as xAI, DeepSeek, Perplexity, Mistral, Groq, OpenRouter, vLLM or Ollama) into a
/// <see cref="TokenUsage"/>.
/// </summary>
/// <remarks>
/// <para>OpenAI counts cached, cache-write, audio and image tokens inside the prompt tokens and reasoning, audio and
/// image tokens inside the completion tokens, which is the convention <see cref="TokenUsage"/> uses, so the counts
/// are taken as they are. Read: <c>prompt_tokens</c>/<c>input_tokens</c>; <c>completion_tokens</c>/<c>output_tokens</c>;
/// from <c>prompt_tokens_details</c>/<c>input_tokens_details</c>/<c>input_token_details</c> (Realtime):
/// <c>cached_tokens</c>, <c>cache_write_tokens</c>, <c>audio_tokens</c>, <c>image_tokens</c>, <c>video_tokens</c> and
/// <c>cached_tokens_details.audio_tokens/image_tokens</c>; from <c>completion_tokens_details</c>/
/// <c>output_tokens_details</c>/<c>output_token_details</c>: <c>reasoning_tokens</c>, <c>audio_tokens</c>,
/// <c>image_tokens</c>, <c>video_tokens</c>. Text tokens and predicted-output tokens need no count of their own (they
/// are priced as the input or output they are part of).</para>
/// <para>Compatible servers' own fields: DeepSeek's <c>prompt_cache_hit_tokens</c>/<c>prompt_cache_miss_tokens</c>,
/// xAI's <c>cached_prompt_text_tokens</c> and top-level <c>reasoning_tokens</c>, Perplexity's <c>citation_tokens</c>,
/// <c>reasoning_tokens</c> and <c>num_search_queries</c>; see <see cref="OpenAICompatibleConvention"/> for how their
/// parts are added up.</para>
/// </remarks>
public static class OpenAIUsage
{
    /// <summary>Parses a usage object given as UTF-8 JSON, deciding the convention from the usage itself.</summary>
    /// <exception cref="InvalidUsageException">The JSON is malformed, not an object, or holds impossible counts.</exception>
    public static TokenUsage Parse(ReadOnlySpan<byte> utf8Json)
        => Parse(utf8Json, OpenAICompatibleConvention.Auto);

    /// <summary>Parses a usage object given as UTF-8 JSON, counted by <paramref name="convention"/>.</summary>
    /// <exception cref="InvalidUsageException">The JSON is malformed, not an object, or holds impossible counts.</exception>
    public static TokenUsage Parse(ReadOnlySpan<byte> utf8Json, OpenAICompatibleConvention convention)
        => UsageJson.Parse(utf8Json, "OpenAI usage", usage => Parse(usage, convention));

    /// <summary>Parses a usage object, deciding the convention from the usage itself.</summary>
    /// <exception cref="InvalidUsageException">The element is not an object or holds impossible counts.</exception>
    public static TokenUsage Parse(JsonElement usage) => Parse(usage, OpenAICompatibleConvention.Auto);

    /// <summary>Parses a usage object, counted by <paramref name="convention"/>.</summary>
    /// <exception cref="InvalidUsageException">The element is not an object or holds impossible counts.</exception>
    public static TokenUsage Parse(JsonElement usage, OpenAICompatibleConvention convention)
    {
        UsageJson.RequireObject(usage, "OpenAI usage");
        if (!Enum.IsDefined(convention))
        {
            throw new ArgumentOutOfRangeException(nameof(convention), convention, "Unknown OpenAI-compatible convention.");
        }

        var hit = UsageJson.Count(usage, "prompt_cache_hit_tokens");
        var miss = UsageJson.Count(usage, "prompt_cache_miss_tokens");

        // Chat Completions names, then the Responses (and Images, Realtime) names, then DeepSeek's parts.
        var input = UsageJson.Count(usage, "prompt_tokens") ?? UsageJson.Count(usage, "input_tokens")
            ?? hit + miss;
        var output = UsageJson.Count(usage, "completion_tokens") ?? UsageJson.Count(usage, "output_tokens");
        if (input is null && output is null)
        {
            throw new InvalidUsageException("OpenAI usage has neither prompt_tokens/input_tokens nor completion_tokens/output_tokens.");
        }

        if (hit is not null && miss is not null && hit + miss != input)
        {
            throw new InvalidUsageException(
                $"OpenAI usage is inconsistent: prompt_cache_hit_tokens ({hit}) + prompt_cache_miss_tokens ({miss}) is not prompt_tokens ({input}).");
        }

        var inDetails = UsageJson.Object(usage, "prompt_tokens_details") ?? UsageJson.Object(usage, "input_tokens_details")
            ?? UsageJson.Object(usage, "input_token_details");
        var outDetails = UsageJson.Object(usage, "completion_tokens_details") ?? UsageJson.Object(usage, "output_tokens_details")
            ?? UsageJson.Object(usage, "output_token_details");
        var cachedDetails = inDetails is { } d ? UsageJson.Object(d, "cached_tokens_details") : null;

        var detailsCached = UsageJson.Count(inDetails, "cached_tokens");
        var cached = convention == OpenAICompatibleConvention.DeepSeek
            ? hit ?? detailsCached
            : detailsCached ?? hit;
        cached ??= UsageJson.Count(usage, "cached_prompt_text_tokens") ?? UsageJson.Count(usage, "cached_tokens");

        // Reasoning: in the output details (OpenAI, xAI), else at the top level (xAI's older shape, Perplexity, Modal).
        var reasoning = UsageJson.Count(outDetails, "reasoning_tokens") ?? UsageJson.Count(usage, "reasoning_tokens") ?? 0;
        var citations = UsageJson.Count(usage, "citation_tokens");
        var searches = UsageJson.Count(usage, "num_search_queries");
        var total = UsageJson.Count(usage, "total_tokens");

        if (convention == OpenAICompatibleConvention.Auto)
        {
            convention = citations is not null || searches is not null ? OpenAICompatibleConvention.Perplexity
                : ReasoningApart(input ?? 0, output ?? 0, reasoning, total) ? OpenAICompatibleConvention.XAI
                : OpenAICompatibleConvention.OpenAI;
        }

        var outputTokens = output ?? 0;
        switch (convention)
        {
            case OpenAICompatibleConvention.XAI:
                outputTokens += reasoning;
                break;
            case OpenAICompatibleConvention.Perplexity:
                outputTokens += reasoning + (citations ?? 0);
                break;
        }

        return new TokenUsage
        {
            InputTokens = input ?? 0,
            CachedInputTokens = cached ?? 0,
            CacheWriteTokens = UsageJson.Count(inDetails, "cache_write_tokens") ?? 0,
            InputAudioTokens = UsageJson.Count(inDetails, "audio_tokens") ?? 0,
            CachedAudioInputTokens = UsageJson.Count(cachedDetails, "audio_tokens") ?? 0,
            InputImageTokens = UsageJson.Count(inDetails, "image_tokens") ?? 0,
            CachedImageInputTokens = UsageJson.Count(cachedDetails, "image_tokens") ?? 0,
            InputVideoTokens = UsageJson.Count(inDetails, "video_tokens") ?? 0,
            CachedVideoInputTokens = UsageJson.Count(cachedDetails, "video_tokens") ?? 0,
            OutputTokens = outputTokens,
            ReasoningTokens = reasoning,
            OutputAudioTokens = UsageJson.Count(outDetails, "audio_tokens") ?? 0,
            OutputImageTokens = UsageJson.Count(outDetails, "image_tokens") ?? 0,
            OutputVideoTokens = UsageJson.Count(outDetails, "video_tokens") ?? 0,
            CitationTokens = convention == OpenAICompatibleConvention.Perplexity ? citations ?? 0 : 0,
            WebSearches = searches ?? 0,
        }.Validate();
    }

    /// <summary>
    /// The convention of a provider by its name (as recorded or configured: <c>xai</c>/<c>x-ai</c>, <c>deepseek</c>,
    /// <c>perplexity</c>, <c>openai</c>, <c>azure…</c>); <see cref="OpenAICompatibleConvention.Auto"/> for any other.
    /// </summary>
    public static OpenAICompatibleConvention ConventionOf(string? providerName) => providerName?.Trim().ToUpperInvariant() switch
    {
        "XAI" or "X-AI" or "X.AI" or "GROK" => OpenAICompatibleConvention.XAI,
        "DEEPSEEK" => OpenAICompatibleConvention.DeepSeek,
        "PERPLEXITY" => OpenAICompatibleConvention.Perplexity,
        "OPENAI" => OpenAICompatibleConvention.OpenAI,
        { } name when name.StartsWith("AZURE", StringComparison.Ordinal) => OpenAICompatibleConvention.OpenAI,
        _ => OpenAICompatibleConvention.Auto,
    };

    /// <summary>
    /// True when the reasoning tokens were counted apart from the completion tokens (xAI): the total says so, or they
    /// are more than the completion tokens, which could not contain them. (Without reasoning either answer counts the
    /// same.)
    /// </summary>
    private static bool ReasoningApart(long input, long output, long reasoning, long? total)
        => total is { } t ? t == input + output + reasoning : reasoning > output;
}
