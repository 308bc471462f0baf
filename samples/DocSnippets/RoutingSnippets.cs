using AiOrchestrator.Metering;
using AiOrchestrator.Routing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DocSnippets;

public static class RoutingSnippets
{
    public static async Task RouteInCodeAsync(IServiceProvider services, IChatClient openai, IChatClient anthropic)
    {
        #region routing-code
        IChatClient chat = new ChatClientBuilder(openai)
            .UseRouting(o =>
            {
                o.Aliases["smart"] = new RouteOptions
                {
                    Strategy = RoutingStrategy.Priority,
                    Targets =
                    [
                        new RouteTarget { Name = "openai-4o", ModelId = "gpt-4o", Timeout = TimeSpan.FromSeconds(20) },
                        new RouteTarget { Name = "claude-sonnet", Client = anthropic, ModelId = "claude-sonnet-4-5" },
                    ],
                };
                o.Aliases["cheap"] = new RouteOptions
                {
                    Strategy = RoutingStrategy.Cheapest,
                    Targets =
                    [
                        new RouteTarget { Name = "openai-mini", ModelId = "gpt-4o-mini" },
                        new RouteTarget { Name = "claude-haiku", Client = anthropic, ModelId = "claude-haiku-4-5" },
                    ],
                };
                o.DefaultAlias = "smart";
            })
            .Build(services);

        var answer = await chat.GetResponseAsync("Summarise this ticket.", new ChatOptions { ModelId = "smart" });
        #endregion

        #region routing-errors
        try
        {
            await chat.GetResponseAsync("Summarise this ticket.", new ChatOptions { ModelId = "smart" });
        }
        catch (AllTargetsFailedException ex)
        {
            foreach (var attempt in ex.Attempts)
            {
                Console.WriteLine($"{attempt.Target} ({attempt.Model}): {attempt.Failure} {attempt.StatusCode} after {attempt.Elapsed}");
            }

            // The longest Retry-After a provider gave, or when the first open circuit allows a probe.
            Console.WriteLine($"Retry in {ex.RetryAfter}");
        }
        #endregion
    }

    public static async Task RouteFromConfigurationAsync(string[] args, IChatClient openai, IChatClient anthropic)
    {
        #region routing-config
        var builder = Host.CreateApplicationBuilder(args);
        builder.Services.AddAiOrchestrator(builder.Configuration);

        // Aliases from "AiOrchestrator:Routing"; each target names its client by key.
        builder.Services.AddModelRouting(builder.Configuration);
        builder.Services.AddKeyedChatClient("openai", openai);
        builder.Services.AddKeyedChatClient("anthropic", anthropic);

        // The router meters each attempt itself: nothing else goes inside it.
        builder.Services.AddChatClient(openai).UseRouting();

        using var app = builder.Build();
        var chat = app.Services.GetRequiredService<IChatClient>();
        var answer = await chat.GetResponseAsync("Hello", new ChatOptions { ModelId = "smart" });

        // Which target served each attempt is in the usage records.
        var records = await app.Services.GetRequiredService<IUsageStore>().GetRecordsAsync(new SpendQuery());
        foreach (var record in records)
        {
            Console.WriteLine($"{record.Route}: {record.Model} {record.Outcome} {record.Cost}");
        }
        #endregion
    }
}
