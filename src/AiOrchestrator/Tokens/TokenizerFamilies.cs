using System.Collections.Concurrent;

namespace AiOrchestrator.Tokens;

/// <summary>
/// Finds the <see cref="TokenizerFamily"/> of a model id such as <c>gpt-4o-mini</c>,
/// <c>anthropic/claude-sonnet-4-5</c> or <c>models/gemini-2.5-pro</c>.
/// </summary>
public static class TokenizerFamilies
{
    // Model ids come from configuration and routing tables, so there are few distinct ones; the cap only guards
    // against callers that put unbounded data (for example per-request deployment names) into the model id.
    private const int MaxCachedModelIds = 4096;

    private static readonly ConcurrentDictionary<string, TokenizerFamily> Cache = new(StringComparer.Ordinal);

    /// <summary>
    /// Returns the tokenizer family of a model id; <see cref="TokenizerFamily.Unknown"/> when the id is null,
    /// empty or not recognised. The answer is cached per id.
    /// </summary>
    /// <param name="modelId">A provider model id, with or without a provider prefix.</param>
    public static TokenizerFamily ForModel(string? modelId)
    {
        if (string.IsNullOrWhiteSpace(modelId))
        {
            return TokenizerFamily.Unknown;
        }

        if (Cache.TryGetValue(modelId, out var family))
        {
            return family;
        }

        family = Detect(modelId);
        if (Cache.Count < MaxCachedModelIds)
        {
            Cache.TryAdd(modelId, family);
        }

        return family;
    }

    /// <summary>The offline tokenizer a family is counted with.</summary>
    internal static BaseEncoding BaseEncodingOf(TokenizerFamily family) =>
        family == TokenizerFamily.O200k ? BaseEncoding.O200k : BaseEncoding.Cl100k;

    /// <summary>
    /// The multiplier applied to the base tokenizer's count for families without an offline tokenizer.
    /// The reasons for each value are in docs/token-estimation.md.
    /// </summary>
    internal static double SafetyFactorOf(TokenizerFamily family) => family switch
    {
        TokenizerFamily.O200k => 1.0,
        TokenizerFamily.Cl100k => 1.0,
        TokenizerFamily.Claude => 1.5,
        TokenizerFamily.Gemini => 1.15,
        TokenizerFamily.Llama => 1.35,
        TokenizerFamily.Mistral => 1.35,
        TokenizerFamily.DeepSeek => 1.2,
        TokenizerFamily.Qwen => 1.15,
        _ => 1.5,
    };

    private static TokenizerFamily Detect(string modelId)
    {
        Span<char> lower = modelId.Length <= 256 ? stackalloc char[modelId.Length] : new char[modelId.Length];
        modelId.AsSpan().ToLowerInvariant(lower);
        ReadOnlySpan<char> id = lower.Trim();

        // Vendor names can appear anywhere: "us.anthropic.claude-3-5-sonnet-20241022-v2:0",
        // "accounts/fireworks/models/llama-v3p1-70b-instruct", "models/gemini-2.0-flash".
        if (id.Contains("claude", StringComparison.Ordinal))
        {
            return TokenizerFamily.Claude;
        }

        if (id.Contains("gemini", StringComparison.Ordinal) || id.Contains("gemma", StringComparison.Ordinal))
        {
            return TokenizerFamily.Gemini;
        }

        if (id.Contains("llama", StringComparison.Ordinal))
        {
            return TokenizerFamily.Llama;
        }

        if (id.Contains("mistral", StringComparison.Ordinal) || id.Contains("mixtral", StringComparison.Ordinal)
            || id.Contains("codestral", StringComparison.Ordinal) || id.Contains("pixtral", StringComparison.Ordinal)
            || id.Contains("devstral", StringComparison.Ordinal) || id.Contains("magistral", StringComparison.Ordinal))
        {
            return TokenizerFamily.Mistral;
        }

        if (id.Contains("deepseek", StringComparison.Ordinal))
        {
            return TokenizerFamily.DeepSeek;
        }

        if (id.Contains("qwen", StringComparison.Ordinal) || id.Contains("qwq", StringComparison.Ordinal))
        {
            return TokenizerFamily.Qwen;
        }

        // OpenAI ids: keep the last path segment ("openai/gpt-4o") and drop a fine-tune prefix ("ft:gpt-4o:org::id").
        int slash = id.LastIndexOf('/');
        if (slash >= 0)
        {
            id = id[(slash + 1)..];
        }

        if (id.StartsWith("ft:", StringComparison.Ordinal))
        {
            id = id[3..];
        }

        if (IsModel(id, "gpt-4o") || IsModel(id, "chatgpt-4o") || IsModel(id, "gpt-4.1") || IsModel(id, "gpt-4.5")
            || IsModel(id, "gpt-5") || IsModel(id, "gpt-oss") || IsModel(id, "gpt-image") || IsModel(id, "gpt-realtime")
            || IsModel(id, "gpt-audio") || IsModel(id, "o1") || IsModel(id, "o3") || IsModel(id, "o4")
            || IsModel(id, "codex-mini") || IsModel(id, "computer-use-preview") || IsModel(id, "omni-moderation"))
        {
            return TokenizerFamily.O200k;
        }

        if (IsModel(id, "gpt-4") || IsModel(id, "gpt-3.5") || IsModel(id, "gpt-35") || IsModel(id, "text-embedding-3")
            || IsModel(id, "text-embedding-ada-002") || IsModel(id, "davinci-002") || IsModel(id, "babbage-002"))
        {
            return TokenizerFamily.Cl100k;
        }

        return TokenizerFamily.Unknown;
    }

    // "o1" matches "o1" and "o1-mini" but not "o100"; "gpt-5" matches "gpt-5.1" and "gpt-5-mini".
    private static bool IsModel(ReadOnlySpan<char> id, string prefix)
    {
        if (!id.StartsWith(prefix, StringComparison.Ordinal))
        {
            return false;
        }

        if (id.Length == prefix.Length)
        {
            return true;
        }

        char next = id[prefix.Length];
        return next is '-' or '.' or ':' or '_' or '@';
    }
}
