using AiOrchestrator;
using AiOrchestrator.Budgets;
using AiOrchestrator.Simulation;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DocSnippets;

public static class BudgetSnippets
{
    public static async Task EnforceAsync(string[] args)
    {
        #region budget-pipeline
        var builder = Host.CreateApplicationBuilder(args);
        builder.Services.AddAiOrchestrator(builder.Configuration);
        builder.Services.AddBudgetLedger(builder.Configuration, budgets =>
        {
            budgets.Wallets.Add(new WalletOptions { Id = "org:acme", Limit = 500m, Period = BudgetPeriod.Month });
            budgets.Wallets.Add(new WalletOptions { Id = "team:acme/support", Limit = 5m, Period = BudgetPeriod.Day });
        });

        // UseAiOrchestrator adds the budget stage because a ledger is registered.
        builder.Services.AddChatClient(new SimulatedChatClient()).UseAiOrchestrator();
        using var app = builder.Build();
        var chat = app.Services.GetRequiredService<IChatClient>();

        using (AiScope.Begin(organization: "acme", team: "support"))
        {
            try
            {
                await chat.GetResponseAsync("Draft a reply to this ticket.");
            }
            catch (BudgetExceededException ex)
            {
                // Refused before the provider was called. ex.Wallet, ex.Limit, ex.Spent, ex.Reserved,
                // ex.Requested and ex.ResetsAt say which wallet and until when.
                Console.WriteLine(ex.Message);
            }
        }
        #endregion
    }

    public static IChatClient Manual(IChatClient provider)
    {
        #region budget-manual
        return new ChatClientBuilder(provider)
            .UseBudget(configure: budget =>
            {
                budget.ClampMaxOutputTokens = true;      // lower the output cap to what the wallets can pay (default)
                budget.DefaultMaxOutputTokens = 2048;    // the cap reserved for calls that set none
                budget.WaitForDurableSettlement = false; // do not wait for the journal's disk flush (default)
            })
            .UseMetering() // innermost: prices each attempt, which the budget stage settles
            .Build();
        #endregion
    }
}
