namespace AiOrchestrator.Pricing;

/// <summary>A provider in the shipped catalog, with the rules that recognise its name and its models' ids.</summary>
internal sealed class CatalogProvider(string id, MatchRule? providerMatch, MatchRule? modelMatch, string[] fallbackProviderIds, System.Text.RegularExpressions.Regex? apiPattern, CatalogModel[] models)
{
    public string Id { get; } = id;

    public MatchRule? ProviderMatch { get; } = providerMatch;

    /// <summary>Recognises model ids that belong to this provider (set for model makers such as OpenAI or Anthropic).</summary>
    public MatchRule? ModelMatch { get; } = modelMatch;

    /// <summary>Recognises the provider's API endpoint (<c>https://api.groq.com</c>), when the catalog gives a pattern.</summary>
    public System.Text.RegularExpressions.Regex? ApiPattern { get; } = apiPattern;

    /// <summary>The providers whose lists price this provider's models when its own list does not (Azure → OpenAI).</summary>
    public string[] FallbackProviderIds { get; } = fallbackProviderIds;

    /// <summary>The first model whose rule matches <paramref name="lowerModelId"/>, in catalog order.</summary>
    public CatalogModel? FindModel(string lowerModelId)
    {
        foreach (var model in models)
        {
            if (model.Match.IsMatch(lowerModelId))
            {
                return model;
            }
        }

        return null;
    }
}
