using Microsoft.Extensions.AI;

namespace AiOrchestrator.Routing;

/// <summary>A target as one route uses it: its per-attempt pipeline, model, order and weight, and its shared health.</summary>
internal sealed class RouteEntry(string name, string modelId, string? provider, IChatClient pipeline, int priority, double weight, TimeSpan? timeout, TargetHealth health)
{
    public string Name { get; } = name;

    public string ModelId { get; } = modelId;

    /// <summary>The provider the target's client reports, for pricing.</summary>
    public string? Provider { get; } = provider;

    /// <summary>The target's client behind its per-attempt stages (budget, metering).</summary>
    public IChatClient Pipeline { get; } = pipeline;

    public int Priority { get; } = priority;

    public double Weight { get; } = weight;

    public TimeSpan? Timeout { get; } = timeout;

    public TargetHealth Health { get; } = health;
}
