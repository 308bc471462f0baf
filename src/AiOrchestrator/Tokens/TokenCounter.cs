using Microsoft.Extensions.AI;

namespace AiOrchestrator.Tokens;

/// <summary>The two <see cref="ITokenCounter"/>s: cheap estimate and exact tokenizer.</summary>
public static class TokenCounter
{
    /// <summary>Counts input with <see cref="TokenEstimator"/>, output with <see cref="ExactTokenCounter"/>.</summary>
    public static ITokenCounter Estimate { get; } = new EstimatingCounter();

    /// <summary>Counts input and output with <see cref="ExactTokenCounter"/>.</summary>
    public static ITokenCounter Exact { get; } = new ExactCounter();

    /// <summary>Returns the counter for a mode.</summary>
    /// <param name="mode">The pre-call counting mode.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="mode"/> is not a defined value.</exception>
    public static ITokenCounter For(TokenCountingMode mode) => mode switch
    {
        TokenCountingMode.Estimate => Estimate,
        TokenCountingMode.Exact => Exact,
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Use TokenCountingMode.Estimate or TokenCountingMode.Exact."),
    };

    private static int CountOutput(string text, string? modelId)
    {
        ArgumentNullException.ThrowIfNull(text);
        return ExactTokenCounter.CountTokens(text, TokenizerFamilies.ForModel(modelId));
    }

    private sealed class EstimatingCounter : ITokenCounter
    {
        public TokenCountingMode Mode => TokenCountingMode.Estimate;

        public int CountInputTokens(IEnumerable<ChatMessage> messages, ChatOptions? options, string? modelId) =>
            TokenEstimator.EstimateInputTokens(messages, options, modelId);

        public int CountOutputTokens(string text, string? modelId) => CountOutput(text, modelId);
    }

    private sealed class ExactCounter : ITokenCounter
    {
        public TokenCountingMode Mode => TokenCountingMode.Exact;

        public int CountInputTokens(IEnumerable<ChatMessage> messages, ChatOptions? options, string? modelId) =>
            ExactTokenCounter.CountInputTokens(messages, options, modelId);

        public int CountOutputTokens(string text, string? modelId) => CountOutput(text, modelId);
    }
}
