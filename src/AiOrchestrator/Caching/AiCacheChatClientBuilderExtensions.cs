using AiOrchestrator.Caching;
using AiOrchestrator.Metering;
using AiOrchestrator.Pipeline;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.AI;

/// <summary>Adds the response cache to a chat client pipeline.</summary>
public static class AiCacheChatClientBuilderExtensions
{
    /// <summary>
    /// Adds the response cache alone (it is also a stage of <c>UseAiOrchestrator()</c>, which places it before routing
    /// and budgets). Needs <c>services.AddAiOrchestrator()</c> and <c>services.AddAiCache()</c>.
    /// </summary>
    public static ChatClientBuilder UseAiCache(this ChatClientBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((innerClient, services) => Create(innerClient, services, AttemptStages.OptionsFrom(services))
            ?? throw new InvalidOperationException("No response cache is registered. Call services.AddAiCache(...) before building the chat client."));
    }

    /// <summary>The cache stage over <paramref name="innerClient"/>, or null when no cache is registered.</summary>
    internal static IChatClient? Create(IChatClient innerClient, IServiceProvider services, AiPipelineOptions pipeline)
    {
#pragma warning disable AIOEXP001 // The cache service is part of the experimental pipeline surface.
        var cache = services.GetService<AiResponseCache>();
#pragma warning restore AIOEXP001
        if (cache is null)
        {
            return null;
        }

        var meter = MeteringChatClientBuilderExtensions.Required<UsageMeter>(services);
        var defaultCap = pipeline.EnableBudgets ? pipeline.Budget.DefaultMaxOutputTokens : long.MaxValue;
        return new AiCacheChatClient(innerClient, cache, meter, defaultCap);
    }
}
