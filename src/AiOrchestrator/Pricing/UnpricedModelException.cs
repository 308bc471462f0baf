namespace AiOrchestrator.Pricing;

/// <summary>
/// Thrown when a call's model has no known price and the unpriced-model policy is
/// <see cref="UnpricedModelPolicy.Reject"/>. The message says how to add a price.
/// </summary>
public sealed class UnpricedModelException : InvalidOperationException
{
    /// <summary>Creates the exception for the provider and model that have no price.</summary>
    public UnpricedModelException(string? provider, string modelId)
        : base(BuildMessage(provider, modelId))
    {
        Provider = provider;
        ModelId = modelId;
    }

    /// <summary>The provider name the call reported, or <see langword="null"/> when unknown.</summary>
    public string? Provider { get; }

    /// <summary>The model id that has no price.</summary>
    public string ModelId { get; }

    private static string BuildMessage(string? provider, string modelId)
    {
        var who = provider is null ? "an unknown provider" : $"provider '{provider}'";
        var providerSnippet = provider is null ? string.Empty : $"Provider = \"{provider}\", ";
        var section = PricingOptions.SectionName;
        return $"No price is known for model '{modelId}' from {who}, so the call cannot be costed. "
            + $"Add a price in code: options.Prices.Add(new ModelPriceDefinition {{ {providerSnippet}Model = \"{modelId}\", InputPerMillion = ..., OutputPerMillion = ... }}) on PricingOptions; "
            + $"or in configuration under {section}:Prices (an entry with Provider, Model, InputPerMillion, OutputPerMillion, in USD per million tokens unless Currency is set); "
            + $"or set {section}:UnpricedModels to UseFallbackPrice with a {section}:FallbackPrice.";
    }
}
