using AiOrchestrator.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.AI;

/// <summary>Adds the whole AiOrchestrator pipeline to a chat client.</summary>
public static class AiOrchestratorChatClientBuilderExtensions
{
    /// <summary>
    /// Adds every AiOrchestrator stage registered in the services, in the right order: the router (when
    /// <c>AddModelRouting</c> registered routes), then for each attempt the budget stage (when <c>AddBudgetLedger</c>
    /// registered a ledger) and metering next to the provider. Needs <c>services.AddAiOrchestrator()</c>.
    /// </summary>
    public static ChatClientBuilder UseAiOrchestrator(this ChatClientBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((innerClient, services) =>
        {
            _ = MeteringChatClientBuilderExtensions.Required<AiOrchestrator.Metering.UsageMeter>(services);
            if (services.GetService<IOptions<RoutingOptions>>() is { } routing && routing.Value.Aliases.Count > 0)
            {
                // The router builds the per-attempt stages around each target (and around unrouted calls).
                return new ModelRoutingChatClient(innerClient, routing.Value, services);
            }

            return AttemptPipeline.Build(innerClient, services);
        });
    }
}
