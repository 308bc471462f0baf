using AiOrchestrator.Budgets;
using AiOrchestrator.Metering;
using AiOrchestrator.Pipeline;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.AI;

/// <summary>Adds budget enforcement to a chat client pipeline.</summary>
public static class BudgetChatClientBuilderExtensions
{
    /// <summary>
    /// Reserves each call's worst-case cost on its scope's wallets before it is sent, clamps its output cap to what
    /// they can pay for, and settles or releases afterwards. Needs <c>services.AddAiOrchestrator()</c> and
    /// <c>services.AddBudgetLedger(...)</c> unless <paramref name="ledger"/> is given. Put it before <c>UseMetering</c>.
    /// </summary>
    public static ChatClientBuilder UseBudget(this ChatClientBuilder builder, IBudgetLedger? ledger = null, Action<BudgetChatClient>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((innerClient, services) =>
        {
            var client = new BudgetChatClient(
                innerClient,
                ledger ?? MeteringChatClientBuilderExtensions.Required<IBudgetLedger>(services),
                MeteringChatClientBuilderExtensions.Required<UsageMeter>(services),
                AttemptStages.OptionsFrom(services).Budget,
                services.GetService<ILogger<BudgetChatClient>>());
            configure?.Invoke(client);
            return client;
        });
    }
}
