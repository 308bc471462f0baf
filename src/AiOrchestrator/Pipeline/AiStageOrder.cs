using System.Diagnostics.CodeAnalysis;

namespace AiOrchestrator.Pipeline;

/// <summary>
/// The order of the pipeline's stages, outermost first, kept here once as data: the <c>IChatClient</c> pipeline
/// (<c>UseAiOrchestrator</c>) and the <c>HttpClient</c> handlers (<c>AddAiOrchestratorHandler</c>) both build from
/// it, so a stage is added once for both.
/// </summary>
/// <remarks>
/// Per call (once, before any attempt): the scope is resolved and the <see cref="AiCall"/> created; then routing picks
/// targets (the <c>HttpClient</c> pipeline has no router: its resilience handler retries the same target). Per
/// attempt: the budget reserves (and may lower the output cap), metering records what the attempt used; they end in
/// reverse order, so metering prices the attempt before the rate limits reconcile and the budget settles that price, and
/// the audit log, outermost, records the attempt once everything else has decided. The response cache sits after
/// the scope and before routing: a hit reserves nothing and calls nobody. The rate-limit stage takes the
/// request permit once per call, before the first attempt is sent (after routing has picked it), and the token and
/// cost permit per attempt after the budget has reserved. Safety checks every text before the cache
/// computes its key and restores the answer on its way out.
/// </remarks>
[Experimental(AiCall.ExperimentalDiagnosticId)]
public static class AiStageOrder
{
    /// <summary>The scope is resolved and the call object created.</summary>
    public const string Scope = "scope";

    /// <summary>Every text of the call is checked (redacted or refused) before anything else sees it; the answer is filtered and restored.</summary>
    public const string Safety = "safety";

    /// <summary>A repeated request is answered from the response cache (a hit reserves nothing and calls nobody).</summary>
    public const string Cache = "cache";

    /// <summary>An alias is routed over its targets (the <c>IChatClient</c> pipeline only).</summary>
    public const string Routing = "routing";

    /// <summary>Each attempt reserves its worst case and settles its cost.</summary>
    public const string Budget = "budget";

    /// <summary>Requests per minute (once per call), tokens and cost per minute (per attempt, reconciled when it ends).</summary>
    public const string RateLimits = "rate-limits";

    /// <summary>Every attempt's decision and outcome is appended to the audit log (no prompt or response text).</summary>
    public const string Audit = "audit";

    /// <summary>Each attempt's usage and cost are recorded.</summary>
    public const string Metering = "metering";

    /// <summary>The stages that run once per call, outermost first.</summary>
    public static IReadOnlyList<string> PerCall { get; } = [Scope, Safety, Cache, Routing];

    /// <summary>The stages that run around every attempt, outermost first.</summary>
    public static IReadOnlyList<string> PerAttempt { get; } = [Audit, Budget, RateLimits, Metering];
}
