namespace AiOrchestrator;

/// <summary>
/// What one call used, by billable unit, normalised across providers so that the same response costs the same
/// whichever provider format or transport (streamed or buffered) it arrived in.
/// </summary>
/// <remarks>
/// <para>Every count is inclusive, following the price feed's unit registry: <see cref="InputTokens"/> counts every
/// input token (cache reads and writes, audio, image and video tokens included); <see cref="CachedInputTokens"/> counts
/// every cache read, of any modality; <see cref="CachedAudioInputTokens"/> is the part of the cache reads that was audio
/// and is also part of <see cref="InputAudioTokens"/>. <see cref="OutputTokens"/> counts every output token, including
/// reasoning, audio, image and video tokens. This is OpenAI's convention; providers that report parts apart from
/// their totals (Anthropic's cache traffic, Gemini's thoughts) are added up by the parsers.</para>
/// <para>Each count maps to one unit of the registry (see the price feed's unit registry); the price of a unit applies
/// to the tokens of that unit that no more specific priced unit claims.</para>
/// </remarks>
public readonly record struct TokenUsage
{
    /// <summary>The largest count accepted for one call; larger counts are treated as corrupt input.</summary>
    public const long MaxTokensPerCall = 1_000_000_000;

    /// <summary>All input (prompt) tokens (unit <c>input_tokens</c>).</summary>
    public long InputTokens { get; init; }

    /// <summary>The input tokens read from the provider's prompt cache, of every modality (unit <c>cache_read_tokens</c>).</summary>
    public long CachedInputTokens { get; init; }

    /// <summary>
    /// The input tokens written to a prompt cache whose lifetime is five minutes or not stated (the providers' default)
    /// (unit <c>cache_write_5m_tokens</c>; with <see cref="CacheWrite1hTokens"/> they make <c>cache_write_tokens</c>).
    /// </summary>
    public long CacheWriteTokens { get; init; }

    /// <summary>The input tokens written to a prompt cache that lives one hour (unit <c>cache_write_1h_tokens</c>).</summary>
    public long CacheWrite1hTokens { get; init; }

    /// <summary>The input tokens that were audio, cached or not (unit <c>input_audio_tokens</c>).</summary>
    public long InputAudioTokens { get; init; }

    /// <summary>The cache reads that were audio: part of both <see cref="CachedInputTokens"/> and <see cref="InputAudioTokens"/> (unit <c>cache_audio_read_tokens</c>).</summary>
    public long CachedAudioInputTokens { get; init; }

    /// <summary>The input tokens that were images or documents, cached or not (unit <c>input_image_tokens</c>).</summary>
    public long InputImageTokens { get; init; }

    /// <summary>The cache reads that were images or documents (unit <c>cache_image_read_tokens</c>).</summary>
    public long CachedImageInputTokens { get; init; }

    /// <summary>The input tokens that were video, cached or not (unit <c>input_video_tokens</c>).</summary>
    public long InputVideoTokens { get; init; }

    /// <summary>The cache reads that were video (unit <c>cache_video_read_tokens</c>).</summary>
    public long CachedVideoInputTokens { get; init; }

    /// <summary>All output (completion) tokens (unit <c>output_tokens</c>).</summary>
    public long OutputTokens { get; init; }

    /// <summary>The output tokens spent on reasoning (thinking) (unit <c>output_reasoning_tokens</c>).</summary>
    public long ReasoningTokens { get; init; }

    /// <summary>The output tokens that were audio (unit <c>output_audio_tokens</c>).</summary>
    public long OutputAudioTokens { get; init; }

    /// <summary>The output tokens that were images (unit <c>output_image_tokens</c>).</summary>
    public long OutputImageTokens { get; init; }

    /// <summary>The output tokens that were video (unit <c>output_video_tokens</c>).</summary>
    public long OutputVideoTokens { get; init; }

    /// <summary>The output tokens spent on citations (Perplexity) (unit <c>output_citation_tokens</c>).</summary>
    public long CitationTokens { get; init; }

    /// <summary>Web searches the provider ran for the call and bills per search (unit <c>web_searches</c>).</summary>
    public long WebSearches { get; init; }

    /// <summary>True when the counts were estimated by a tokenizer because the provider reported none.</summary>
    public bool IsEstimated { get; init; }

    /// <summary>All input tokens written to a prompt cache, of any lifetime (unit <c>cache_write_tokens</c>).</summary>
    public long AllCacheWriteTokens => CacheWriteTokens + CacheWrite1hTokens;

    /// <summary>Input plus output tokens.</summary>
    public long TotalTokens => InputTokens + OutputTokens;

    /// <summary>
    /// Checks that every count is non-negative, below <see cref="MaxTokensPerCall"/>, and that the parts of each total
    /// fit in it: no unit holds fewer tokens than its more specific units claim (cache reads and writes and the audio,
    /// image and video tokens within the input; reasoning, audio, image, video and citation tokens within the output).
    /// </summary>
    /// <exception cref="InvalidUsageException">A count is negative, absurd, or its parts exceed it.</exception>
    public TokenUsage Validate()
    {
        Check(InputTokens, nameof(InputTokens));
        Check(CachedInputTokens, nameof(CachedInputTokens));
        Check(CacheWriteTokens, nameof(CacheWriteTokens));
        Check(CacheWrite1hTokens, nameof(CacheWrite1hTokens));
        Check(InputAudioTokens, nameof(InputAudioTokens));
        Check(CachedAudioInputTokens, nameof(CachedAudioInputTokens));
        Check(InputImageTokens, nameof(InputImageTokens));
        Check(CachedImageInputTokens, nameof(CachedImageInputTokens));
        Check(InputVideoTokens, nameof(InputVideoTokens));
        Check(CachedVideoInputTokens, nameof(CachedVideoInputTokens));
        Check(OutputTokens, nameof(OutputTokens));
        Check(ReasoningTokens, nameof(ReasoningTokens));
        Check(OutputAudioTokens, nameof(OutputAudioTokens));
        Check(OutputImageTokens, nameof(OutputImageTokens));
        Check(OutputVideoTokens, nameof(OutputVideoTokens));
        Check(CitationTokens, nameof(CitationTokens));
        Check(WebSearches, nameof(WebSearches));
        UsageUnits.CheckParts(this);
        return this;
    }

    /// <summary>Adds two usages count by count; the sum is estimated if either was.</summary>
    public static TokenUsage operator +(TokenUsage left, TokenUsage right) => new()
    {
        InputTokens = left.InputTokens + right.InputTokens,
        CachedInputTokens = left.CachedInputTokens + right.CachedInputTokens,
        CacheWriteTokens = left.CacheWriteTokens + right.CacheWriteTokens,
        CacheWrite1hTokens = left.CacheWrite1hTokens + right.CacheWrite1hTokens,
        InputAudioTokens = left.InputAudioTokens + right.InputAudioTokens,
        CachedAudioInputTokens = left.CachedAudioInputTokens + right.CachedAudioInputTokens,
        InputImageTokens = left.InputImageTokens + right.InputImageTokens,
        CachedImageInputTokens = left.CachedImageInputTokens + right.CachedImageInputTokens,
        InputVideoTokens = left.InputVideoTokens + right.InputVideoTokens,
        CachedVideoInputTokens = left.CachedVideoInputTokens + right.CachedVideoInputTokens,
        OutputTokens = left.OutputTokens + right.OutputTokens,
        ReasoningTokens = left.ReasoningTokens + right.ReasoningTokens,
        OutputAudioTokens = left.OutputAudioTokens + right.OutputAudioTokens,
        OutputImageTokens = left.OutputImageTokens + right.OutputImageTokens,
        OutputVideoTokens = left.OutputVideoTokens + right.OutputVideoTokens,
        CitationTokens = left.CitationTokens + right.CitationTokens,
        WebSearches = left.WebSearches + right.WebSearches,
        IsEstimated = left.IsEstimated || right.IsEstimated,
    };

    /// <summary>Adds two usages count by count.</summary>
    public static TokenUsage Add(TokenUsage left, TokenUsage right) => left + right;

    /// <summary>
    /// The count of a unit of the price feed's registry (such as <c>cache_audio_read_tokens</c> or <c>web_searches</c>),
    /// or <see langword="null"/> when this usage does not carry that unit.
    /// </summary>
    public long? GetCount(string unitId)
    {
        ArgumentNullException.ThrowIfNull(unitId);
        var field = UsageUnits.FieldOf(unitId);
        return field == UsageField.None ? null : UsageUnits.Get(this, field);
    }

    private static void Check(long value, string name)
    {
        if (value < 0)
        {
            throw new InvalidUsageException($"Usage field {name} is negative ({value}); counts must be zero or more.");
        }

        if (value > MaxTokensPerCall)
        {
            throw new InvalidUsageException($"Usage field {name} is {value}, more than the {MaxTokensPerCall} one call can plausibly use; the usage data is corrupt.");
        }
    }
}
