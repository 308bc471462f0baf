using AiOrchestrator.Budgets;
using AiOrchestrator.Metering;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace AiOrchestrator.Routing;

/// <summary>
/// The stages every routed attempt passes through, built once per target: the budget stage (when a ledger is
/// registered), which reserves for this target's price and releases when the attempt fails, then metering next to
/// the provider (when a <see cref="UsageMeter"/> is registered), so each attempt, failed or not, is metered and
/// priced for its own model.
/// </summary>
internal static class AttemptPipeline
{
    public static IChatClient Build(IChatClient target, IServiceProvider? services)
    {
        IChatClient client = target;
        if (services?.GetService<UsageMeter>() is { } meter)
        {
            client = new MeteringChatClient(client, meter);
            if (services.GetService<IBudgetLedger>() is { } ledger)
            {
                client = BudgetChatClientBuilderExtensions.Create(client, services, ledger);
            }
        }

        return client;
    }
}
