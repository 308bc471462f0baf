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
    /// or the configuration itself when it is that section. Targets name their clients by <see cref="RouteTarget.ClientKey"/>
    /// (keyed <c>IChatClient</c> services). Validated when the host starts.
    /// </summary>
    public static IServiceCollection AddModelRouting(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(RoutingOptions.SectionName);
        services.AddOptions<RoutingOptions>().Bind(section.Exists() ? section : configuration);
        return AddCore(services);
    }

    private static IServiceCollection AddCore(IServiceCollection services)
    {
        services.AddOptions<RoutingOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RoutingOptions>, RoutingOptionsValidator>());
        return services;
    }
}
