namespace AiOrchestrator.Routing;

/// <summary>What one model alias routes to: a strategy and its targets.</summary>
public sealed class RouteOptions
{
    /// <summary>How the targets are ordered for each call. Default <see cref="RoutingStrategy.Priority"/>.</summary>
    public RoutingStrategy Strategy { get; set; } = RoutingStrategy.Priority;

    /// <summary>The targets, at least one.</summary>
    public IList<RouteTarget> Targets { get; set; } = [];

    /// <summary>
    /// Under <see cref="RoutingStrategy.BudgetAware"/>: a wallet is low when what it still has available is below this
    /// fraction of its allowance (limit plus top-ups). Default 0.2; 0 turns the fraction test off.
    /// </summary>
    public double LowBudgetFraction { get; set; } = 0.2;

    /// <summary>
    /// Under <see cref="RoutingStrategy.BudgetAware"/>: a wallet is also low when what it still has available is below
    /// this amount, in the wallet's currency. Default null (off).
    /// </summary>
    public decimal? LowBudgetAmount { get; set; }
}
