namespace AiOrchestrator;

/// <summary>
/// The tokens one call used, normalised across providers so that the same response costs the same
/// whichever provider format or transport (streamed or buffered) it arrived in.
/// </summary>
/// <remarks>
/// Totals include their parts: <see cref="InputTokens"/> counts every input token, including those read from
/// or written to a prompt cache and audio tokens; <see cref="OutputTokens"/> counts every output token, including
/// reasoning and audio tokens. This is OpenAI's convention; Anthropic reports cache reads and writes apart
/// from its input count, and the parsers add them in.
/// </remarks>
public readonly record struct TokenUsage
{
    /// <summary>The largest count accepted for one call; larger counts are treated as corrupt input.</summary>
    public const long MaxTokensPerCall = 1_000_000_000;

    /// <summary>All input (prompt) tokens, including cached, cache-write and audio input tokens.</summary>
    public long InputTokens { get; init; }

    /// <summary>The part of <see cref="InputTokens"/> read from the provider's prompt cache.</summary>
    public long CachedInputTokens { get; init; }

    /// <summary>The part of <see cref="InputTokens"/> written to a prompt cache that lives about five minutes.</summary>
    public long CacheWriteTokens { get; init; }

    /// <summary>The part of <see cref="InputTokens"/> written to a prompt cache that lives about one hour.</summary>
    public long CacheWrite1hTokens { get; init; }

    /// <summary>The part of <see cref="InputTokens"/> that was audio.</summary>
    public long InputAudioTokens { get; init; }

    /// <summary>All output (completion) tokens, including reasoning and audio output tokens.</summary>
    public long OutputTokens { get; init; }

    /// <summary>The part of <see cref="OutputTokens"/> spent on reasoning (thinking).</summary>
    public long ReasoningTokens { get; init; }

    /// <summary>The part of <see cref="OutputTokens"/> that was audio.</summary>
    public long OutputAudioTokens { get; init; }

    /// <summary>True when the counts were estimated by a tokenizer because the provider reported none.</summary>
    public bool IsEstimated { get; init; }

    /// <summary>Input tokens billed at the plain input price: neither cached, cache writes, nor audio.</summary>
    public long UncachedInputTokens => InputTokens - CachedInputTokens - CacheWriteTokens - CacheWrite1hTokens - InputAudioTokens;

    /// <summary>Output tokens billed at the plain output price: neither reasoning nor audio.</summary>
    public long TextOutputTokens => OutputTokens - ReasoningTokens - OutputAudioTokens;

    /// <summary>Input plus output tokens.</summary>
    public long TotalTokens => InputTokens + OutputTokens;

    /// <summary>
    /// Checks that every count is non-negative, below <see cref="MaxTokensPerCall"/>, and that parts do not
    /// exceed their totals.
    /// </summary>
    /// <exception cref="InvalidUsageException">A count is negative, absurd, or larger than its total.</exception>
    public TokenUsage Validate()
    {
        Check(InputTokens, nameof(InputTokens));
        Check(CachedInputTokens, nameof(CachedInputTokens));
        Check(CacheWriteTokens, nameof(CacheWriteTokens));
        Check(CacheWrite1hTokens, nameof(CacheWrite1hTokens));
        Check(InputAudioTokens, nameof(InputAudioTokens));
        Check(OutputTokens, nameof(OutputTokens));
        Check(ReasoningTokens, nameof(ReasoningTokens));
        Check(OutputAudioTokens, nameof(OutputAudioTokens));
        if (UncachedInputTokens < 0)
        {
            throw new InvalidUsageException(
                $"Usage is inconsistent: cached ({CachedInputTokens}), cache-write ({CacheWriteTokens + CacheWrite1hTokens}) and audio ({InputAudioTokens}) input tokens add up to more than the {InputTokens} input tokens.");
        }

        if (TextOutputTokens < 0)
        {
            throw new InvalidUsageException(
                $"Usage is inconsistent: reasoning ({ReasoningTokens}) and audio ({OutputAudioTokens}) output tokens add up to more than the {OutputTokens} output tokens.");
        }

        return this;
    }

    /// <summary>Adds two usages part by part; the sum is estimated if either was.</summary>
    public static TokenUsage operator +(TokenUsage left, TokenUsage right) => new()
    {
        InputTokens = left.InputTokens + right.InputTokens,
        CachedInputTokens = left.CachedInputTokens + right.CachedInputTokens,
        CacheWriteTokens = left.CacheWriteTokens + right.CacheWriteTokens,
        CacheWrite1hTokens = left.CacheWrite1hTokens + right.CacheWrite1hTokens,
        InputAudioTokens = left.InputAudioTokens + right.InputAudioTokens,
        OutputTokens = left.OutputTokens + right.OutputTokens,
        ReasoningTokens = left.ReasoningTokens + right.ReasoningTokens,
        OutputAudioTokens = left.OutputAudioTokens + right.OutputAudioTokens,
        IsEstimated = left.IsEstimated || right.IsEstimated,
    };

    /// <summary>Adds two usages part by part.</summary>
    public static TokenUsage Add(TokenUsage left, TokenUsage right) => left + right;

    private static void Check(long value, string name)
    {
        if (value < 0)
        {
            throw new InvalidUsageException($"Usage field {name} is negative ({value}); token counts must be zero or more.");
        }

        if (value > MaxTokensPerCall)
        {
            throw new InvalidUsageException($"Usage field {name} is {value}, more than the {MaxTokensPerCall} tokens one call can plausibly use; the usage data is corrupt.");
        }
    }
}
