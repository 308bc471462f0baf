using AiOrchestrator.Metering;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.AI;

/// <summary>Adds metering to a chat client pipeline.</summary>
public static class MeteringChatClientBuilderExtensions
{
    /// <summary>
    /// Meters every call through the pipeline: tokens, exact cost, latency and outcome per call, kept in the usage
    /// store and published as metrics. Uses the <see cref="UsageMeter"/> registered by
    /// <c>services.AddAiOrchestrator()</c> unless one is given.
    /// </summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="meter">The meter to use; resolved from the pipeline's services when null.</param>
    /// <param name="configure">An optional callback to configure the created client.</param>
    public static ChatClientBuilder UseMetering(this ChatClientBuilder builder, UsageMeter? meter = null, Action<MeteringChatClient>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((innerClient, services) =>
        {
            var client = new MeteringChatClient(innerClient, meter ?? Required<UsageMeter>(services));
            configure?.Invoke(client);
            return client;
        });
    }

    internal static T Required<T>(IServiceProvider services)
        where T : notnull
        => services.GetService<T>() ?? throw new InvalidOperationException(
            $"No {typeof(T).Name} is registered. Call services.AddAiOrchestrator(...) before building the chat client, " +
            "or pass the dependency to the Use... method.");
}
