namespace AiOrchestrator.Routing;

/// <summary>An alias compiled for calls: its strategy and its targets in priority order.</summary>
internal sealed class Route(string name, RoutingStrategy strategy, RouteEntry[] entries, decimal lowBudgetFraction, decimal? lowBudgetAmount)
{
    public string Name { get; } = name;

    public RoutingStrategy Strategy { get; } = strategy;

    /// <summary>The targets by priority, then list order. Never empty.</summary>
    public RouteEntry[] Entries { get; } = entries;

    public decimal LowBudgetFraction { get; } = lowBudgetFraction;

    public decimal? LowBudgetAmount { get; } = lowBudgetAmount;
}
