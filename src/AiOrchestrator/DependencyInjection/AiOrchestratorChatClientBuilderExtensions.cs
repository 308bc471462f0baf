using AiOrchestrator.Budgets;
using AiOrchestrator.Metering;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.AI;

/// <summary>Adds the whole AiOrchestrator pipeline to a chat client.</summary>
public static class AiOrchestratorChatClientBuilderExtensions
{
    /// <summary>
    /// Adds every AiOrchestrator stage registered in the services, in the right order: budgets (when
    /// <c>AddBudgetLedger</c> registered a ledger), then metering next to the provider. Needs
    /// <c>services.AddAiOrchestrator()</c>.
    /// </summary>
    public static ChatClientBuilder UseAiOrchestrator(this ChatClientBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((innerClient, services) =>
        {
            IChatClient client = new MeteringChatClient(innerClient, MeteringChatClientBuilderExtensions.Required<UsageMeter>(services));
            if (services.GetService<IBudgetLedger>() is { } ledger)
            {
                client = BudgetChatClientBuilderExtensions.Create(client, services, ledger);
            }

            return client;
        });
    }
}
