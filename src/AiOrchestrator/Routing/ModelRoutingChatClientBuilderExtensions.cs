using AiOrchestrator.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.AI;

/// <summary>Adds model routing to a chat client pipeline.</summary>
public static class ModelRoutingChatClientBuilderExtensions
{
    /// <summary>
    /// Routes calls by model alias across provider targets, with fallback, circuit breaking and the route's strategy.
    /// Each target gets its own per-attempt stages (metering when <c>services.AddAiOrchestrator()</c> is registered);
    /// do not add <c>UseMetering</c> inside the router as well. Options come from <paramref name="configure"/>, or
    /// from <c>services.AddModelRouting(...)</c> when it is null. They are validated when the pipeline is built.
    /// </summary>
    /// <param name="builder">The pipeline builder; its inner client serves targets that name no client.</param>
    /// <param name="configure">Sets the aliases and their targets; null uses the registered <see cref="RoutingOptions"/>.</param>
    /// <exception cref="OptionsValidationException">The options are invalid (thrown when the pipeline is built).</exception>
    public static ChatClientBuilder UseRouting(this ChatClientBuilder builder, Action<RoutingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((innerClient, services) =>
        {
            RoutingOptions options;
            if (configure is null)
            {
                options = services.GetService<IOptions<RoutingOptions>>()?.Value ?? throw new InvalidOperationException(
                    "UseRouting() found no routing options. Pass them (UseRouting(o => o.Aliases[\"smart\"] = ...)), or register them with services.AddModelRouting(...).");
            }
            else
            {
                options = new RoutingOptions();
                configure(options);
            }

            return new ModelRoutingChatClient(innerClient, options, services);
        });
    }
}
