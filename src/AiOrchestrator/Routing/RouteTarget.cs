using Microsoft.Extensions.AI;

namespace AiOrchestrator.Routing;

/// <summary>One provider and model a route can send a call to.</summary>
public sealed class RouteTarget
{
    /// <summary>
    /// The target's name, unique within its route: it names the target in usage records, traces and errors, and
    /// targets with the same name in several routes share one health state. Required.
    /// </summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>
    /// The client that serves this target. When null, <see cref="ClientKey"/> names a keyed <see cref="IChatClient"/>
    /// service; when both are null, the client the router was built over serves it.
    /// </summary>
    public IChatClient? Client { get; set; }

    /// <summary>The key of a keyed <see cref="IChatClient"/> service that serves this target (for configuration).</summary>
    public string? ClientKey { get; set; }

    /// <summary>The model id sent to the provider (set as <see cref="ChatOptions.ModelId"/>). Required.</summary>
    public string ModelId { get; set; } = string.Empty;

    /// <summary>The order under <see cref="RoutingStrategy.Priority"/>: lower first; equal priorities keep list order. Default 0.</summary>
    public int Priority { get; set; }

    /// <summary>The share of calls under <see cref="RoutingStrategy.Weighted"/>; must be above zero. Default 1.</summary>
    public double Weight { get; set; } = 1;

    /// <summary>
    /// How long one attempt may take before the router gives up on it and falls back: the whole call when buffered,
    /// the wait for the first update when streamed. Null uses <see cref="RoutingOptions.AttemptTimeout"/>.
    /// </summary>
    public TimeSpan? Timeout { get; set; }
}
