namespace AiOrchestrator.Routing;

/// <summary>
/// Model aliases and how calls to them are routed. A call names an alias in <c>ChatOptions.ModelId</c> (for example
/// <c>smart</c>); a model id that is not an alias is served by the targets with that model. Bound from the
/// <c>AiOrchestrator:Routing</c> configuration section by <c>services.AddModelRouting(configuration)</c>.
/// </summary>
public sealed class RoutingOptions
{
    /// <summary>The configuration section these options are read from by default.</summary>
    public const string SectionName = "AiOrchestrator:Routing";

    /// <summary>The aliases, by name (case-insensitive), each with its strategy and targets.</summary>
    public IDictionary<string, RouteOptions> Aliases { get; set; } = new Dictionary<string, RouteOptions>(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The alias used by calls that set no <c>ChatOptions.ModelId</c>, and reported as the router's default model.
    /// When null, such calls go to the client the router was built over, unrouted.
    /// </summary>
    public string? DefaultAlias { get; set; }

    /// <summary>The time an attempt may take when its target sets no <see cref="RouteTarget.Timeout"/>. Default null (no limit).</summary>
    public TimeSpan? AttemptTimeout { get; set; }

    /// <summary>
    /// The output cap assumed when a call sets no <c>MaxOutputTokens</c>, for pricing under
    /// <see cref="RoutingStrategy.Cheapest"/> and <see cref="RoutingStrategy.BudgetAware"/>. Default 4,096.
    /// </summary>
    public int DefaultMaxOutputTokens { get; set; } = 4096;

    /// <summary>When a target's circuit opens and closes; shared by all targets.</summary>
    public CircuitBreakerOptions CircuitBreaker { get; set; } = new();
}
