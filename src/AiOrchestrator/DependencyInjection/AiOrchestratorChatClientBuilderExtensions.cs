using AiOrchestrator.Metering;

namespace Microsoft.Extensions.AI;

/// <summary>Adds the whole AiOrchestrator pipeline to a chat client.</summary>
public static class AiOrchestratorChatClientBuilderExtensions
{
    /// <summary>
    /// Adds every AiOrchestrator stage registered with <c>services.AddAiOrchestrator()</c>, in the right order.
    /// Today that is metering; budgets, routing, caching, safety and rate limits plug in here as they are added.
    /// </summary>
    public static ChatClientBuilder UseAiOrchestrator(this ChatClientBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((innerClient, services) =>
            new MeteringChatClient(innerClient, MeteringChatClientBuilderExtensions.Required<UsageMeter>(services)));
    }
}
