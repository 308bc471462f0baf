using AiOrchestrator;
using AiOrchestrator.Pricing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DocSnippets;

public static class PricingSnippets
{
    public static void Cost()
    {
        #region pricing-cost
        var calculator = new CostCalculator(new PricingOptions());
        var usage = new TokenUsage
        {
            InputTokens = 250_000, CachedInputTokens = 100_000, CacheWriteTokens = 20_000, CacheWrite1hTokens = 30_000,
            OutputTokens = 2_000, WebSearches = 3,
        };
        CallCost cost = calculator.Calculate("anthropic", "claude-sonnet-4-5-20250929", usage, DateTimeOffset.UtcNow);

        // Above 200,000 input tokens every unit is at its long-context tier:
        // cost.Cost == 1.245 USD; cost.InputCost == 1.17, cost.OutputCost == 0.045, cost.OtherCost == 0.03 (searches)
        foreach (UnitCost part in cost.Parts)
        {
            Console.WriteLine($"{part.Unit.Id}: {part.Count} at {part.Price} per {part.Unit.Per} = {part.Amount}");
        }

        // Anything the price could not cover is reported, never dropped silently:
        bool complete = cost.IsComplete;            // false when UnpricedUnits or UnreportedUnits is not empty
        bool otherList = cost.UsedFallbackProvider; // true when another provider's list priced it (Azure -> OpenAI)
        #endregion
        _ = (complete, otherList);
    }

    public static void Lookup()
    {
        #region pricing-lookup
        PriceCatalog catalog = PriceCatalog.Default;

        // Provider names as clients report them resolve to catalog ids:
        catalog.TryResolveProvider("azure.ai.openai", out var azure);                         // "azure"
        catalog.TryResolveEndpoint(new Uri("https://api.groq.com/openai/v1"), out var groq);  // "groq"

        // Azure declares OpenAI as its fallback list; the price says so:
        ModelPrice price = catalog.FindPrice("azure.ai.openai", "gpt-4o", DateTimeOffset.UtcNow);
        // price.Provider == "openai", price.Source == PriceSource.FallbackProvider

        // A model unknown under its provider is never priced from another provider's list:
        UnpricedReason? why = catalog.ExplainUnpriced("minimax", "gpt-4o", DateTimeOffset.UtcNow); // UnknownModel
        #endregion
        _ = (azure, groq, price, why);
    }

    public static void Overrides()
    {
        #region pricing-overrides
        var options = new PricingOptions();
        options.Prices.Add(new ModelPriceDefinition
        {
            Provider = "openai",              // optional: null means any provider
            Model = "ft:gpt-4o*",             // exact id (covers its dated snapshots) or a prefix ending in *
            InputPerMillion = 3.75m,          // required
            CachedInputPerMillion = 1.875m,
            OutputPerMillion = 15m,           // required (0 for embeddings)
        });

        // Any unit of the registry, by its price key, per that unit's own count:
        var search = new ModelPriceDefinition { Provider = "acme", Model = "acme-search", InputPerMillion = 1m, OutputPerMillion = 2m };
        search.Units["web_searches_kcount"] = 12.5m;   // per thousand searches
        search.Units["output_image_mtok"] = 40m;       // per million image output tokens
        options.Prices.Add(search);

        var calculator = new CostCalculator(options);
        #endregion
        _ = calculator;
    }

    public static void CatalogFile(IServiceCollection services)
    {
        #region pricing-catalog-file
        // A newer genai-prices v2 feed (data.json as published), read once at start; nothing is fetched:
        var calculator = new CostCalculator(new PricingOptions { CatalogFile = "prices/data.json" });

        // or in configuration: "AiOrchestrator": { "Pricing": { "CatalogFile": "prices/data.json" } }
        services.AddOptions<PricingOptions>().BindConfiguration(PricingOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<PricingOptions>, PricingOptionsValidator>();

        // or in code, a catalog you loaded yourself:
        PriceCatalog mine = PriceCatalog.Load("prices/data.json");
        var fromMine = new CostCalculator(new PricingOptions(), mine);
        #endregion
        _ = (calculator, fromMine);
    }
}
