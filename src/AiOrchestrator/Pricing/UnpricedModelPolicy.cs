namespace AiOrchestrator.Pricing;

/// <summary>What to do with a call to a model that has no known price.</summary>
public enum UnpricedModelPolicy
{
    /// <summary>Refuse to price it: throw <see cref="UnpricedModelException"/>, which says how to add a price. The default.</summary>
    Reject = 0,

    /// <summary>Price it with <see cref="PricingOptions.FallbackPrice"/> and mark the cost as a fallback.</summary>
    UseFallbackPrice = 1,
}
