namespace AiOrchestrator.Pricing;

/// <summary>
/// How calls are priced: prices that add to or override the shipped catalog, and what to do with a model that has
/// no price. Bind it from the <see cref="SectionName"/> configuration section, or set it in code.
/// </summary>
public sealed class PricingOptions
{
    /// <summary>The configuration section these options are read from: <c>AiOrchestrator:Pricing</c>.</summary>
    public const string SectionName = "AiOrchestrator:Pricing";

    /// <summary>
    /// A catalog file to use instead of the shipped catalog, read once at start: a genai-prices v2 feed file as
    /// published (<c>data.json</c>) or a catalog written by tools/PriceCatalogGenerator. A missing or invalid file fails
    /// at start, naming the fault. Nothing is ever fetched over the network.
    /// </summary>
    public string? CatalogFile { get; set; }

    /// <summary>Prices that add to or override the catalog; they take precedence over it.</summary>
    public IList<ModelPriceDefinition> Prices { get; } = new List<ModelPriceDefinition>();

    /// <summary>What to do with a model that has no price. Defaults to <see cref="UnpricedModelPolicy.Reject"/>.</summary>
    public UnpricedModelPolicy UnpricedModels { get; set; } = UnpricedModelPolicy.Reject;

    /// <summary>
    /// The price for models with no price, used when <see cref="UnpricedModels"/> is
    /// <see cref="UnpricedModelPolicy.UseFallbackPrice"/>. Its <see cref="ModelPriceDefinition.Model"/> is ignored.
    /// </summary>
    public ModelPriceDefinition? FallbackPrice { get; set; }
}
