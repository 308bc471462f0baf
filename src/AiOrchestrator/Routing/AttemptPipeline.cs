using AiOrchestrator.Metering;
using AiOrchestrator.Pipeline;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace AiOrchestrator.Routing;

/// <summary>
/// The stages every routed attempt passes through (<see cref="AiStageOrder.PerAttempt"/>), built once per target:
/// the budget stage reserves for this target's price and releases when the attempt fails; metering records it, so
/// each attempt, failed or not, is metered and priced for its own model.
/// </summary>
internal static class AttemptPipeline
{
    public static IChatClient Build(IChatClient target, IServiceProvider? services, AiPipelineOptions? options = null)
    {
        var stages = AttemptStages.Create(services, options);
        // One client runs every stage of the attempt, so the call object need not travel further in.
        return stages.Length == 0 ? target : new AttemptChatClient(target, stages, services!.GetRequiredService<UsageMeter>(), carryCall: false);
    }
}
