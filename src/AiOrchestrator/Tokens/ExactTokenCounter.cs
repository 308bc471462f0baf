using Microsoft.Extensions.AI;
using Microsoft.ML.Tokenizers;

namespace AiOrchestrator.Tokens;

/// <summary>
/// Counts tokens with the OpenAI tokenizers embedded in the package (o200k_base, cl100k_base); for other families
/// it counts with the nearest of the two and applies the family's safety factor. Costs about 20 µs per kilobyte:
/// use it to count responses that carry no usage, or when exact pre-counting is configured.
/// </summary>
/// <remarks>The tokenizers are created once, on first use, and are safe to use from many threads.</remarks>
public static class ExactTokenCounter
{
    private static readonly Lazy<Tokenizer> O200k = new(() => TiktokenTokenizer.CreateForEncoding("o200k_base"));
    private static readonly Lazy<Tokenizer> Cl100k = new(() => TiktokenTokenizer.CreateForEncoding("cl100k_base"));

    /// <summary>
    /// Returns the number of tokens <paramref name="text"/> encodes to: exact for <see cref="TokenizerFamily.O200k"/>
    /// and <see cref="TokenizerFamily.Cl100k"/>, a factored count for the others.
    /// </summary>
    /// <param name="text">The text.</param>
    /// <param name="family">The tokenizer family of the model that reads or wrote it.</param>
    public static int CountTokens(ReadOnlySpan<char> text, TokenizerFamily family) =>
        TokenMath.Scale(
            CountBaseTokens(text, TokenizerFamilies.BaseEncodingOf(family)),
            TokenizerFamilies.SafetyFactorOf(family));

    /// <summary>
    /// Returns the input tokens of a chat request counted with the family's tokenizer, plus the same framing and
    /// allowances as <see cref="TokenEstimator.EstimateInputTokens"/>.
    /// </summary>
    /// <param name="messages">The request's messages.</param>
    /// <param name="options">The request's options, if any; tools and instructions count as input.</param>
    /// <param name="modelId">The model that will be called; picks the tokenizer family. Null counts as unknown.</param>
    public static int CountInputTokens(IEnumerable<ChatMessage> messages, ChatOptions? options, string? modelId)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var family = TokenizerFamilies.ForModel(modelId ?? options?.ModelId);
        var measure = new ExactMeasure(TokenizerFamilies.BaseEncodingOf(family));
        double tokens = ChatTokenCounting.Count(messages, options, measure);
        return TokenMath.Scale(tokens, TokenizerFamilies.SafetyFactorOf(family));
    }

    /// <summary>The exact count in a base encoding, before any family factor.</summary>
    internal static int CountBaseTokens(ReadOnlySpan<char> text, BaseEncoding encoding) =>
        text.IsEmpty ? 0 : TokenizerFor(encoding).CountTokens(text);

    /// <summary>The shared tokenizer of a base encoding.</summary>
    internal static Tokenizer TokenizerFor(BaseEncoding encoding) =>
        encoding == BaseEncoding.O200k ? O200k.Value : Cl100k.Value;
}
