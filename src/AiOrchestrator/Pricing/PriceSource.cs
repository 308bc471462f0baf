namespace AiOrchestrator.Pricing;

/// <summary>Where a <see cref="ModelPrice"/> came from.</summary>
public enum PriceSource
{
    /// <summary>The requested provider's own list in the price catalog.</summary>
    Catalog = 0,

    /// <summary>A price added or overridden in code or configuration (<see cref="PricingOptions.Prices"/>).</summary>
    Override = 1,

    /// <summary>The configured <see cref="PricingOptions.FallbackPrice"/> for a model with no known price.</summary>
    Fallback = 2,

    /// <summary>
    /// The catalog list of a provider that the requested provider declares as its fallback (Azure serves OpenAI's
    /// models): <see cref="ModelPrice.Provider"/> names it.
    /// </summary>
    FallbackProvider = 3,

    /// <summary>
    /// The call named no provider, and the model was priced from the list of the provider that makes it (OpenAI for
    /// <c>gpt-*</c>, Anthropic for <c>claude*</c>): <see cref="ModelPrice.Provider"/> names it.
    /// </summary>
    ModelMaker = 4,
}
