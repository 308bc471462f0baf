using AiOrchestrator;
using AiOrchestrator.Metering;
using AiOrchestrator.Simulation;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DocSnippets;

public static class MeteringSnippets
{
    public static async Task RegisterAndMeterAsync(string[] args)
    {
        #region metering-setup
        var builder = Host.CreateApplicationBuilder(args);

        // Prices, token counting, the local store and the meter; options from the "AiOrchestrator" section.
        builder.Services.AddAiOrchestrator(builder.Configuration);

        // Any IChatClient: here the offline simulated provider; in production an OpenAI, Anthropic, Azure... client.
        builder.Services.AddChatClient(new SimulatedChatClient())
            .UseAiOrchestrator();

        using var app = builder.Build();
        var chat = app.Services.GetRequiredService<IChatClient>();

        using (AiScope.Begin(organization: "acme", team: "search", user: "dana"))
        {
            var answer = await chat.GetResponseAsync("How do I reset my password?");
        }
        #endregion

        #region metering-query
        var store = app.Services.GetRequiredService<IUsageStore>();
        var lastWeek = await store.GetSpendAsync(new SpendQuery
        {
            Organization = "acme",
            From = DateTimeOffset.UtcNow.AddDays(-7),
            GroupBy = SpendGrouping.Team | SpendGrouping.Model,
        });

        foreach (var row in lastWeek)
        {
            Console.WriteLine($"{row.Team} {row.Model}: {row.Calls} calls, {row.Usage.InputTokens} in, {row.Usage.OutputTokens} out, {row.Cost}");
        }
        #endregion
    }

    public static IChatClient Manual(IChatClient provider, UsageMeter meter)
    {
        #region metering-manual
        // Without DI: give the meter yourself. Put metering innermost, next to the provider,
        // so every attempt that reaches the provider is metered.
        return new ChatClientBuilder(provider)
            .UseMetering(meter)
            .Build();
        #endregion
    }
}
