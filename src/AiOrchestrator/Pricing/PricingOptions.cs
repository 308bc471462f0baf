namespace AiOrchestrator.Pricing;

/// <summary>
/// How calls are priced: prices that add to or override the shipped catalog, and what to do with a model that has
/// no price. Bind it from the <see cref="SectionName"/> configuration section, or set it in code.
/// </summary>
public sealed class PricingOptions
{
    /// <summary>The configuration section these options are read from: <c>AiOrchestrator:Pricing</c>.</summary>
    public const string SectionName = "AiOrchestrator:Pricing";

    /// <summary>Prices that add to or override the shipped catalog; they take precedence over it.</summary>
    public IList<ModelPriceDefinition> Prices { get; } = new List<ModelPriceDefinition>();

    /// <summary>What to do with a model that has no price. Defaults to <see cref="UnpricedModelPolicy.Reject"/>.</summary>
    public UnpricedModelPolicy UnpricedModels { get; set; } = UnpricedModelPolicy.Reject;

    /// <summary>
    /// The price for models with no price, used when <see cref="UnpricedModels"/> is
    /// <see cref="UnpricedModelPolicy.UseFallbackPrice"/>. Its <see cref="ModelPriceDefinition.Model"/> is ignored.
    /// </summary>
    public ModelPriceDefinition? FallbackPrice { get; set; }
}
