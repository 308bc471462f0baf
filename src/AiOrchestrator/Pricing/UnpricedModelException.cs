namespace AiOrchestrator.Pricing;

/// <summary>
/// Thrown when a call's model has no known price and the unpriced-model policy is
/// <see cref="UnpricedModelPolicy.Reject"/>. <see cref="Reason"/> says which case it is; the message says how to add a
/// price.
/// </summary>
public sealed class UnpricedModelException : InvalidOperationException
{
    /// <summary>Creates the exception for the provider and model that have no price.</summary>
    public UnpricedModelException(string? provider, string modelId)
        : this(provider, modelId, provider is null ? UnpricedReason.UnknownModel : UnpricedReason.UnknownProvider)
    {
    }

    /// <summary>Creates the exception for the provider and model that have no price, saying why.</summary>
    public UnpricedModelException(string? provider, string modelId, UnpricedReason reason)
        : base(BuildMessage(provider, modelId, reason))
    {
        Provider = provider;
        ModelId = modelId;
        Reason = reason;
    }

    /// <summary>The provider name the call reported, or <see langword="null"/> when unknown.</summary>
    public string? Provider { get; }

    /// <summary>The model id that has no price.</summary>
    public string ModelId { get; }

    /// <summary>Whether the provider is unknown, the model is unknown, or the model is listed without a price.</summary>
    public UnpricedReason Reason { get; }

    private static string BuildMessage(string? provider, string modelId, UnpricedReason reason)
    {
        var who = provider is null ? "a call that named no provider" : $"provider '{provider}'";
        var why = reason switch
        {
            UnpricedReason.UnknownProvider => $"No price is known for model '{modelId}': {who} is not in the price catalog (by id, alias or provider rule), and prices are never taken from another provider's list unless the catalog declares it as a fallback.",
            UnpricedReason.ListedWithoutPrice => $"The price catalog lists model '{modelId}' from {who} without a price, so the call cannot be costed.",
            _ => $"No price is known for model '{modelId}' from {who}: neither its list nor the lists it declares as fallbacks have the model.",
        };
        var providerSnippet = provider is null ? string.Empty : $"Provider = \"{provider}\", ";
        var section = PricingOptions.SectionName;
        return why + " "
            + $"Add a price in code: options.Prices.Add(new ModelPriceDefinition {{ {providerSnippet}Model = \"{modelId}\", InputPerMillion = ..., OutputPerMillion = ... }}) on PricingOptions; "
            + $"or in configuration under {section}:Prices (an entry with Provider, Model, InputPerMillion, OutputPerMillion, in USD per million tokens unless Currency is set); "
            + $"or load a newer catalog file ({section}:CatalogFile); "
            + $"or set {section}:UnpricedModels to UseFallbackPrice and give an {section}:FallbackPrice (self-hosted models such as Ollama or vLLM usually want a zero fallback price).";
    }
}
