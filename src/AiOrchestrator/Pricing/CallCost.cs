namespace AiOrchestrator.Pricing;

/// <summary>The cost of one call and the price it was computed with.</summary>
/// <param name="Cost">The exact cost.</param>
/// <param name="Price">The price used.</param>
public readonly record struct CallCost(Money Cost, ModelPrice Price)
{
    /// <summary>True when the model had no known price and the configured fallback price was used.</summary>
    public bool UsedFallbackPrice => Price?.Source == PriceSource.Fallback;
}
