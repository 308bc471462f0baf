using Microsoft.Extensions.AI;

namespace AiOrchestrator.Tokens;

/// <summary>
/// A cheap, conservative token count: a linear bound over character-class counts, calibrated against the exact
/// tokenizers so that it rarely under-counts. Costs tens of nanoseconds per kilobyte and allocates nothing for a
/// span; use it on the hot path to size budget reservations and rate-limit permits.
/// </summary>
/// <remarks>The calibration and its measured error rates are in docs/token-estimation.md.</remarks>
public static class TokenEstimator
{
    /// <summary>Returns an upper estimate of the number of tokens <paramref name="text"/> encodes to.</summary>
    /// <param name="text">The text.</param>
    /// <param name="family">The tokenizer family of the model that will read it.</param>
    /// <returns>0 for an empty text; otherwise at least 1. Saturates at <see cref="int.MaxValue"/>.</returns>
    public static int EstimateTokens(ReadOnlySpan<char> text, TokenizerFamily family)
    {
        double bound = EstimateBaseTokens(text, TokenizerFamilies.BaseEncodingOf(family));
        return TokenMath.Scale(bound, TokenizerFamilies.SafetyFactorOf(family));
    }

    /// <summary>
    /// Returns an upper estimate of the input tokens a chat request costs: message texts, per-message framing,
    /// tool calls and results, instructions, tool definitions, a response schema, and a fixed allowance per image
    /// or file.
    /// </summary>
    /// <param name="messages">The request's messages.</param>
    /// <param name="options">The request's options, if any; tools and instructions count as input.</param>
    /// <param name="modelId">The model that will be called; picks the tokenizer family. Null counts as unknown.</param>
    public static int EstimateInputTokens(IEnumerable<ChatMessage> messages, ChatOptions? options, string? modelId)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var family = TokenizerFamilies.ForModel(modelId ?? options?.ModelId);
        var measure = new EstimateMeasure(TokenizerFamilies.BaseEncodingOf(family));
        double tokens = ChatTokenCounting.Count(messages, options, measure);
        return TokenMath.Scale(tokens, TokenizerFamilies.SafetyFactorOf(family));
    }

    /// <summary>The bound in the base encoding's tokens, before the family factor and rounding.</summary>
    internal static double EstimateBaseTokens(ReadOnlySpan<char> text, BaseEncoding encoding)
    {
        var features = TextFeatures.Measure(text);
        return EstimateCoefficients.For(encoding).Apply(features);
    }
}
