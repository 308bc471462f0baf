namespace AiOrchestrator.Routing;

/// <summary>How a route orders its targets for a call. Every strategy falls back to the next target on a retryable error.</summary>
public enum RoutingStrategy
{
    /// <summary>Targets in <see cref="RouteTarget.Priority"/> order (lowest first), then in the order they are listed.</summary>
    Priority = 0,

    /// <summary>The first target is drawn at random in proportion to <see cref="RouteTarget.Weight"/>; the rest follow in priority order.</summary>
    Weighted = 1,

    /// <summary>The target whose worst-case cost for this request (estimated input tokens, output cap) is lowest first.</summary>
    Cheapest = 2,

    /// <summary>
    /// The target with the lowest moving average of latency (buffered calls) or time to first token (streams) first.
    /// Targets not yet measured come first, so every target gets measured.
    /// </summary>
    Fastest = 3,

    /// <summary>
    /// Priority order while the paying scope's wallets have money; cheapest first when one of them runs low
    /// (see <see cref="RouteOptions.LowBudgetFraction"/> and <see cref="RouteOptions.LowBudgetAmount"/>).
    /// </summary>
    BudgetAware = 4,
}
