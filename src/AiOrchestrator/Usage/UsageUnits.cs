namespace AiOrchestrator;

/// <summary>A count that <see cref="TokenUsage"/> carries, by the registry unit it stands for.</summary>
internal enum UsageField
{
    None = 0,
    Input,
    CacheRead,
    CacheWrite,
    CacheWrite5m,
    CacheWrite1h,
    InputAudio,
    CacheAudioRead,
    InputImage,
    CacheImageRead,
    InputVideo,
    CacheVideoRead,
    Output,
    Reasoning,
    OutputAudio,
    OutputImage,
    OutputVideo,
    Citation,
    WebSearches,
    Requests,
}

/// <summary>
/// Which unit of the price feed's registry each <see cref="TokenUsage"/> count stands for, and the checks that keep
/// the parts of a usage inside their totals. Units the registry has and <see cref="TokenUsage"/> does not carry (for
/// example <c>input_text_tokens</c>) have no count: a price for them is reported, and their tokens are priced by the
/// nearest ancestor unit that has a count.
/// </summary>
internal static class UsageUnits
{
    private static readonly Dictionary<string, UsageField> Fields = new(StringComparer.Ordinal)
    {
        ["input_tokens"] = UsageField.Input,
        ["cache_read_tokens"] = UsageField.CacheRead,
        ["cache_write_tokens"] = UsageField.CacheWrite,
        ["cache_write_5m_tokens"] = UsageField.CacheWrite5m,
        ["cache_write_1h_tokens"] = UsageField.CacheWrite1h,
        ["input_audio_tokens"] = UsageField.InputAudio,
        ["cache_audio_read_tokens"] = UsageField.CacheAudioRead,
        ["input_image_tokens"] = UsageField.InputImage,
        ["cache_image_read_tokens"] = UsageField.CacheImageRead,
        ["input_video_tokens"] = UsageField.InputVideo,
        ["cache_video_read_tokens"] = UsageField.CacheVideoRead,
        ["output_tokens"] = UsageField.Output,
        ["output_reasoning_tokens"] = UsageField.Reasoning,
        ["output_audio_tokens"] = UsageField.OutputAudio,
        ["output_image_tokens"] = UsageField.OutputImage,
        ["output_video_tokens"] = UsageField.OutputVideo,
        ["output_citation_tokens"] = UsageField.Citation,
        ["web_searches"] = UsageField.WebSearches,
        ["requests"] = UsageField.Requests,
    };

    /// <summary>The registry unit ids <see cref="TokenUsage"/> carries a count for.</summary>
    public static IReadOnlyCollection<string> UnitIds => Fields.Keys;

    public static UsageField FieldOf(string unitId) => Fields.GetValueOrDefault(unitId);

    public static string IdOf(UsageField field)
    {
        foreach (var (id, f) in Fields)
        {
            if (f == field)
            {
                return id;
            }
        }

        return field.ToString();
    }

    /// <summary>The count of <paramref name="field"/> in <paramref name="usage"/>; a call is one request.</summary>
    public static long Get(in TokenUsage usage, UsageField field) => field switch
    {
        UsageField.Input => usage.InputTokens,
        UsageField.CacheRead => usage.CachedInputTokens,
        UsageField.CacheWrite => usage.CacheWriteTokens + usage.CacheWrite1hTokens,
        UsageField.CacheWrite5m => usage.CacheWriteTokens,
        UsageField.CacheWrite1h => usage.CacheWrite1hTokens,
        UsageField.InputAudio => usage.InputAudioTokens,
        UsageField.CacheAudioRead => usage.CachedAudioInputTokens,
        UsageField.InputImage => usage.InputImageTokens,
        UsageField.CacheImageRead => usage.CachedImageInputTokens,
        UsageField.InputVideo => usage.InputVideoTokens,
        UsageField.CacheVideoRead => usage.CachedVideoInputTokens,
        UsageField.Output => usage.OutputTokens,
        UsageField.Reasoning => usage.ReasoningTokens,
        UsageField.OutputAudio => usage.OutputAudioTokens,
        UsageField.OutputImage => usage.OutputImageTokens,
        UsageField.OutputVideo => usage.OutputVideoTokens,
        UsageField.Citation => usage.CitationTokens,
        UsageField.WebSearches => usage.WebSearches,
        UsageField.Requests => 1,
        _ => 0,
    };

    /// <summary>Throws when a part of the usage is larger than what contains it.</summary>
    public static void CheckParts(in TokenUsage u)
    {
        Part(u.CachedAudioInputTokens, "CachedAudioInputTokens", u.InputAudioTokens, "InputAudioTokens");
        Part(u.CachedImageInputTokens, "CachedImageInputTokens", u.InputImageTokens, "InputImageTokens");
        Part(u.CachedVideoInputTokens, "CachedVideoInputTokens", u.InputVideoTokens, "InputVideoTokens");
        Part(
            u.CachedAudioInputTokens + u.CachedImageInputTokens + u.CachedVideoInputTokens,
            "cached audio, image and video input tokens",
            u.CachedInputTokens,
            "CachedInputTokens");

        // Cache reads and writes are disjoint parts of the input, and so are cache reads and the uncached audio, image
        // and video tokens. Cache writes may be audio, image or video tokens themselves (a provider that reports both
        // counts them in each), so writes and modalities are not added up together.
        var reads = u.CachedInputTokens;
        var writes = u.CacheWriteTokens + u.CacheWrite1hTokens;
        if (reads + writes > u.InputTokens)
        {
            throw new InvalidUsageException(
                $"Usage is inconsistent: cache reads ({reads}) and cache writes ({writes}) add up to more than the {u.InputTokens} input tokens.");
        }

        var uncachedModalities = (u.InputAudioTokens - u.CachedAudioInputTokens)
            + (u.InputImageTokens - u.CachedImageInputTokens)
            + (u.InputVideoTokens - u.CachedVideoInputTokens);
        if (reads + uncachedModalities > u.InputTokens)
        {
            throw new InvalidUsageException(
                $"Usage is inconsistent: cache reads ({reads}) and uncached audio, image and video input ({uncachedModalities}) add up to more than the {u.InputTokens} input tokens.");
        }

        var outputParts = u.ReasoningTokens + u.OutputAudioTokens + u.OutputImageTokens + u.OutputVideoTokens + u.CitationTokens;
        if (outputParts > u.OutputTokens)
        {
            throw new InvalidUsageException(
                $"Usage is inconsistent: reasoning ({u.ReasoningTokens}), audio ({u.OutputAudioTokens}), image ({u.OutputImageTokens}), video ({u.OutputVideoTokens}) and citation ({u.CitationTokens}) output tokens add up to more than the {u.OutputTokens} output tokens.");
        }
    }

    private static void Part(long part, string partName, long whole, string wholeName)
    {
        if (part > whole)
        {
            throw new InvalidUsageException($"Usage is inconsistent: {partName} ({part}) is more than {wholeName} ({whole}), which contains it.");
        }
    }
}
