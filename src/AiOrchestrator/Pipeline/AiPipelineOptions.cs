using AiOrchestrator.Budgets;

namespace AiOrchestrator.Pipeline;

/// <summary>
/// The settings of the stages <c>UseAiOrchestrator</c> composes. They start from the registered options
/// (configuration sections <c>AiOrchestrator:Budgets</c>, <c>AiOrchestrator:Routing</c>) and can be changed per
/// pipeline in code.
/// </summary>
public sealed class AiPipelineOptions
{
    /// <summary>Route aliases over their targets when <c>AddModelRouting</c> registered routes. Default true.</summary>
    public bool EnableRouting { get; set; } = true;

    /// <summary>Check inputs and outputs with the safety guard when <c>AddSafety</c> registered one. Default true.</summary>
    public bool EnableSafety { get; set; } = true;

    /// <summary>Answer repeated requests from the response cache when <c>AddAiCache</c> registered one. Default true.</summary>
    public bool EnableCache { get; set; } = true;

    /// <summary>Enforce budgets when <c>AddBudgetLedger</c> registered a ledger. Default true.</summary>
    public bool EnableBudgets { get; set; } = true;

    /// <summary>Apply request, token and cost rate limits when <c>AddRateLimits</c> registered them. Default true.</summary>
    public bool EnableRateLimits { get; set; } = true;

    /// <summary>Append every attempt's outcome to the audit log when <c>AddAuditLog</c> registered one. Default true.</summary>
    public bool EnableAudit { get; set; } = true;

    /// <summary>The budget stage's settings (from <c>AiOrchestrator:Budgets</c> when a ledger is registered).</summary>
    public BudgetStageOptions Budget { get; set; } = new();
}
