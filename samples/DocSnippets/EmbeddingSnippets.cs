using AiOrchestrator;
using AiOrchestrator.Budgets;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenAI;

namespace DocSnippets;

public static class EmbeddingSnippets
{
    public static async Task RegisterAndEmbedAsync(string[] args)
    {
        #region embeddings-setup
        var builder = Host.CreateApplicationBuilder(args);
        builder.Services.AddAiOrchestrator(builder.Configuration);
        builder.Services.AddBudgetLedger(builder.Configuration, budgets =>
            budgets.Wallets.Add(new WalletOptions { Id = "team:acme/search", Limit = 2m, Period = BudgetPeriod.Day }));

        // Any IEmbeddingGenerator<string, TEmbedding>: its metadata names the provider and the default model.
        var apiKey = builder.Configuration["OpenAI:ApiKey"] ?? throw new InvalidOperationException("Set OpenAI:ApiKey.");
        builder.Services.AddEmbeddingGenerator(new OpenAIClient(apiKey).GetEmbeddingClient("text-embedding-3-small").AsIEmbeddingGenerator())
            .UseAiOrchestrator();

        using var app = builder.Build();
        var embeddings = app.Services.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();

        using (AiScope.Begin(organization: "acme", team: "search"))
        {
            try
            {
                var vectors = await embeddings.GenerateAsync(["How do I reset my password?", "Where is my invoice?"]);
            }
            catch (BudgetExceededException ex)
            {
                // Refused before the provider was called: the wallet cannot cover the inputs' worst case.
                Console.WriteLine(ex.Message);
            }
        }
        #endregion

        #region embeddings-scope
        // Without an ambient scope: the call's options name it (levels left out come from the default scope).
        var options = new EmbeddingGenerationOptions
        {
            AdditionalProperties = new() { [AiScopeKeys.Team] = "search", [AiScopeKeys.User] = "dana" },
        };
        var vector = await embeddings.GenerateVectorAsync("Where is my invoice?", options);
        #endregion
    }

    public static IEmbeddingGenerator<string, Embedding<float>> Manual(
        IEmbeddingGenerator<string, Embedding<float>> provider, IDistributedCache cache, IServiceProvider services)
    {
        #region embeddings-manual
        // Without AddEmbeddingGenerator: build the pipeline over the app's services (AddAiOrchestrator registered).
        // The cache goes first (outermost), so a cache hit never reaches the stages: nothing reserved or charged.
        return new EmbeddingGeneratorBuilder<string, Embedding<float>>(provider)
            .UseDistributedCache(cache)
            .UseAiOrchestrator(o => o.EnableBudgets = true)
            .Build(services);
        #endregion
    }
}
