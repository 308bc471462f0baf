namespace AiOrchestrator.Pricing;

/// <summary>
/// Long-context pricing: once a request's total input tokens are above <see cref="AboveInputTokens"/>, every token
/// of the request (input and output, of every kind) costs <see cref="Rates"/>.
/// </summary>
public sealed class PriceTier
{
    internal PriceTier(long aboveInputTokens, TokenRates rates)
    {
        AboveInputTokens = aboveInputTokens;
        Rates = rates;
    }

    /// <summary>The tier applies when the request's total input tokens are greater than this.</summary>
    public long AboveInputTokens { get; }

    /// <summary>The prices per million tokens in this tier.</summary>
    public TokenRates Rates { get; }
}
