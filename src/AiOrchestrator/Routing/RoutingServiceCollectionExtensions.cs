using AiOrchestrator;
using AiOrchestrator.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers model routing options, for <c>UseRouting()</c>.</summary>
public static class RoutingServiceCollectionExtensions
{
    /// <summary>Registers the routing options set by <paramref name="configure"/>, validated when the host starts.</summary>
    public static IServiceCollection AddModelRouting(this IServiceCollection services, Action<RoutingOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<RoutingOptions>().Configure(configure);
        return AddCore(services);
    }

    /// <summary>
    /// Registers routing options bound from <paramref name="configuration"/>: its <c>AiOrchestrator:Routing</c> section,
    /// or the configuration itself when it is a section. Targets name their clients by <see cref="RouteTarget.ClientKey"/>
    /// (keyed <c>IChatClient</c> services). Binding is strict and validated when the host starts: a missing section, an
    /// unknown key or a value that cannot be converted (a strategy or a timeout) fails with a message that names the key.
    /// </summary>
    public static IServiceCollection AddModelRouting(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<RoutingOptions>().BindStrictly(configuration, RoutingOptions.SectionName, "services.AddModelRouting(configuration)");
        return AddCore(services);
    }

    private static IServiceCollection AddCore(IServiceCollection services)
    {
        services.AddOptions<RoutingOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RoutingOptions>, RoutingOptionsValidator>());
        return services;
    }
}
