using Microsoft.Extensions.Options;

namespace AiOrchestrator.Pricing;

/// <summary>
/// Prices calls: finds the model's price (overrides first, then the shipped catalog) and applies the unpriced-model
/// policy, so that a cost is never silently zero: an unpriced model either throws <see cref="UnpricedModelException"/>
/// or is priced with the configured fallback price and marked as such. Costs carry their parts by unit. Thread-safe.
/// </summary>
public sealed class CostCalculator
{
    private readonly ModelPrice? _fallback;

    /// <summary>
    /// Creates a calculator from <paramref name="options"/> on top of <paramref name="catalog"/> (default: the file in
    /// <see cref="PricingOptions.CatalogFile"/>, else the shipped catalog).
    /// </summary>
    /// <exception cref="OptionsValidationException">The options are invalid; each failure names its setting and the fix.</exception>
    public CostCalculator(PricingOptions options, PriceCatalog? catalog = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = PricingOptionsValidator.Collect(options);
        if (failures.Count > 0)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(PricingOptions), failures);
        }

        catalog ??= LoadCatalogFile(options.CatalogFile) ?? PriceCatalog.Default;
        Catalog = options.Prices.Count == 0 ? catalog : catalog.WithPrices(options.Prices);
        UnpricedModels = options.UnpricedModels;
        _fallback = UnpricedModels == UnpricedModelPolicy.UseFallbackPrice
            ? options.FallbackPrice!.ToModelPrice("*", "*", PriceSource.Fallback, Catalog.Units)
            : null;
    }

    /// <summary>The catalog in use, including the configured prices.</summary>
    public PriceCatalog Catalog { get; }

    /// <summary>The policy for models with no price.</summary>
    public UnpricedModelPolicy UnpricedModels { get; }

    /// <summary>The price of a model at a moment, after the unpriced-model policy (check <see cref="ModelPrice.Source"/>).</summary>
    /// <exception cref="UnpricedModelException">No price is known and the policy is <see cref="UnpricedModelPolicy.Reject"/>.</exception>
    public ModelPrice GetPrice(string? provider, string modelId, DateTimeOffset at)
    {
        if (Catalog.TryFindPrice(provider, modelId, at, out var price))
        {
            return price;
        }

        return _fallback ?? throw new UnpricedModelException(provider, modelId, Catalog.ExplainUnpriced(provider, modelId, at) ?? UnpricedReason.UnknownModel);
    }

    /// <summary>The exact cost of a call's usage.</summary>
    /// <param name="provider">The provider name the client reports, or <see langword="null"/>.</param>
    /// <param name="modelId">The model id the call used.</param>
    /// <param name="usage">The call's normalised usage.</param>
    /// <param name="at">When the call happened.</param>
    /// <exception cref="UnpricedModelException">No price is known and the policy is <see cref="UnpricedModelPolicy.Reject"/>.</exception>
    /// <exception cref="InvalidUsageException">The usage is inconsistent.</exception>
    public CallCost Calculate(string? provider, string modelId, in TokenUsage usage, DateTimeOffset at)
    {
        var price = GetPrice(provider, modelId, at);
        return price.Calculate(usage);
    }

    // The validator has read the file already (a missing or invalid one failed above).
    private static PriceCatalog? LoadCatalogFile(string? path)
        => string.IsNullOrWhiteSpace(path) ? null : PriceCatalog.Load(path);
}
