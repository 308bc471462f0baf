using AiOrchestrator.Pipeline;
using AiOrchestrator.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.AI;

/// <summary>Adds the whole AiOrchestrator pipeline to a chat client.</summary>
public static class AiOrchestratorChatClientBuilderExtensions
{
    /// <summary>
    /// Adds every AiOrchestrator stage registered in the services, in the order <see cref="AiStageOrder"/> keeps
    /// (the same order the <c>HttpClient</c> handlers use): the response cache (when <c>AddAiCache</c> registered one),
    /// the router (when <c>AddModelRouting</c> registered
    /// routes), then for each attempt the budget stage (when <c>AddBudgetLedger</c> registered a ledger) and metering
    /// next to the provider. Needs <c>services.AddAiOrchestrator()</c>.
    /// </summary>
    public static ChatClientBuilder UseAiOrchestrator(this ChatClientBuilder builder) => UseAiOrchestrator(builder, null);

    /// <summary>
    /// Adds every AiOrchestrator stage registered in the services, with their settings changed by
    /// <paramref name="configure"/> (they start from the registered options and configuration).
    /// </summary>
    /// <example><c>builder.UseAiOrchestrator(o => o.Budget.DefaultMaxOutputTokens = 1024)</c></example>
    public static ChatClientBuilder UseAiOrchestrator(this ChatClientBuilder builder, Action<AiPipelineOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((innerClient, services) =>
        {
            _ = MeteringChatClientBuilderExtensions.Required<AiOrchestrator.Metering.UsageMeter>(services);
            var pipeline = AttemptStages.OptionsFrom(services);
            configure?.Invoke(pipeline);
            pipeline.Budget.Validate();
            IChatClient client = pipeline.EnableRouting && services.GetService<IOptions<RoutingOptions>>() is { } routing && routing.Value.Aliases.Count > 0
                ? new ModelRoutingChatClient(innerClient, routing.Value, services, pipeline) // builds the per-attempt stages around each target
                : AttemptPipeline.Build(innerClient, services, pipeline);

            // The cache sits outside routing and budgets: a hit reserves nothing and calls nobody.
            client = pipeline.EnableCache && AiCacheChatClientBuilderExtensions.Create(client, services, pipeline) is { } cached ? cached : client;

            // Safety sits outside the cache: nothing it redacts reaches a cache key, an estimate, a record or the provider.
#pragma warning disable AIOEXP001
            return pipeline.EnableSafety && SafetyChatClientBuilderExtensions.Create(client, services) is { } safe ? safe : client;
#pragma warning restore AIOEXP001
        });
    }
}
