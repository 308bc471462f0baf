using AiOrchestrator.Pipeline;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace AiOrchestrator.Routing;

/// <summary>
/// The routing options compiled once, when the router is built: every alias with its targets' per-attempt pipelines,
/// and every target model as a route of its own, so a call finds its route with one dictionary lookup.
/// </summary>
internal sealed class RouteTable
{
    private readonly Dictionary<string, Route> _aliases;
    private readonly Dictionary<string, Route> _models;

    private RouteTable(Dictionary<string, Route> aliases, Dictionary<string, Route> models, Route? defaultRoute, string[] aliasNames)
    {
        _aliases = aliases;
        _models = models;
        Default = defaultRoute;
        AliasNames = aliasNames;
    }

    /// <summary>The route of calls that name no model, or null to pass them through unrouted.</summary>
    public Route? Default { get; }

    public IReadOnlyList<string> AliasNames { get; }

    /// <summary>Finds the route of a model id: an alias, else the targets that run that model.</summary>
    /// <exception cref="UnknownModelAliasException">It is neither.</exception>
    public Route Find(string modelId)
        => _aliases.TryGetValue(modelId, out var route) || _models.TryGetValue(modelId, out route)
            ? route
            : throw new UnknownModelAliasException(modelId, AliasNames);

    /// <summary>Validates the options and compiles them; the target clients come from the options, DI keys or <paramref name="innerClient"/>.</summary>
    public static RouteTable Build(RoutingOptions options, IChatClient innerClient, IServiceProvider? services, TimeProvider time, AiPipelineOptions? pipeline = null)
    {
        RoutingOptionsValidator.ThrowIfInvalid(options);
        var health = new Dictionary<string, TargetHealth>(StringComparer.Ordinal);
        var aliases = new Dictionary<string, Route>(StringComparer.OrdinalIgnoreCase);
        var byModel = new Dictionary<string, List<RouteEntry>>(StringComparer.OrdinalIgnoreCase);
        var names = new List<string>();
        foreach (var (alias, routeOptions) in options.Aliases)
        {
            var entries = new List<RouteEntry>(routeOptions.Targets.Count);
            foreach (var target in routeOptions.Targets)
            {
                if (!health.TryGetValue(target.Name, out var targetHealth))
                {
                    targetHealth = new TargetHealth(options.CircuitBreaker, time);
                    health.Add(target.Name, targetHealth);
                }

                var client = ClientOf(target, alias, innerClient, services);
                var metadata = client.GetService<ChatClientMetadata>();
                var provider = metadata is null ? null : services?.GetService<Metering.UsageMeter>()?.ProviderOf(metadata) ?? metadata.ProviderName;
                var entry = new RouteEntry(
                    target.Name,
                    target.ModelId,
                    provider,
                    AttemptPipeline.Build(client, services, pipeline),
                    target.Priority,
                    target.Weight,
                    target.Timeout ?? options.AttemptTimeout,
                    targetHealth);
                entries.Add(entry);
                if (!byModel.TryGetValue(target.ModelId, out var sameModel))
                {
                    byModel.Add(target.ModelId, sameModel = []);
                }

                if (!sameModel.Exists(e => e.Name == entry.Name))
                {
                    sameModel.Add(entry);
                }
            }

            // Stable: equal priorities keep the order they were listed in.
            var ordered = entries.OrderBy(e => e.Priority).ToArray();
            aliases.Add(alias, new Route(alias, routeOptions.Strategy, ordered, (decimal)routeOptions.LowBudgetFraction, routeOptions.LowBudgetAmount));
            names.Add(alias);
        }

        var models = new Dictionary<string, Route>(StringComparer.OrdinalIgnoreCase);
        foreach (var (model, entries) in byModel)
        {
            models.Add(model, new Route(model, RoutingStrategy.Priority, [.. entries], 0m, null));
        }

        var defaultRoute = options.DefaultAlias is { } d ? aliases[d] : null;
        return new RouteTable(aliases, models, defaultRoute, [.. names]);
    }

    private static IChatClient ClientOf(RouteTarget target, string alias, IChatClient innerClient, IServiceProvider? services)
    {
        if (target.Client is { } client)
        {
            return client;
        }

        if (string.IsNullOrEmpty(target.ClientKey))
        {
            return innerClient;
        }

        return services?.GetKeyedService<IChatClient>(target.ClientKey) ?? throw new InvalidOperationException(
            $"{RoutingOptions.SectionName}:Aliases:{alias} target '{target.Name}' names ClientKey '{target.ClientKey}', but no IChatClient is registered under that key. " +
            $"Register it with services.AddKeyedChatClient(\"{target.ClientKey}\", ...), or set the target's Client in code.");
    }
}
