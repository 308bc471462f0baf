namespace AiOrchestrator.Pricing;

/// <summary>Where a <see cref="ModelPrice"/> came from.</summary>
public enum PriceSource
{
    /// <summary>The price catalog shipped with the package.</summary>
    Catalog = 0,

    /// <summary>A price added or overridden in code or configuration (<see cref="PricingOptions.Prices"/>).</summary>
    Override = 1,

    /// <summary>The configured <see cref="PricingOptions.FallbackPrice"/> for a model with no known price.</summary>
    Fallback = 2,
}
