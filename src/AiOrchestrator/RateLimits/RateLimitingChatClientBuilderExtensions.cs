using System.Diagnostics.CodeAnalysis;
using AiOrchestrator.Metering;
using AiOrchestrator.Pipeline;
using AiOrchestrator.RateLimits;

namespace Microsoft.Extensions.AI;

/// <summary>Adds the rate-limit stage alone to a chat pipeline.</summary>
[Experimental(AiCall.ExperimentalDiagnosticId)]
public static class RateLimitingChatClientBuilderExtensions
{
    /// <summary>
    /// Adds the rate limits registered by <c>AddRateLimits</c>: a request permit per call, a token and cost permit per
    /// attempt reconciled with what it used. A refusal throws <see cref="RateLimitExceededException"/> (with
    /// <see cref="RateLimitExceededException.RetryAfter"/>) and sends nothing. <c>UseAiOrchestrator()</c> includes
    /// this stage in its place; use this to add it alone.
    /// </summary>
    public static ChatClientBuilder UseRateLimiting(this ChatClientBuilder builder, ScopeRateLimiter? limiter = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((innerClient, services) =>
        {
            var meter = MeteringChatClientBuilderExtensions.Required<UsageMeter>(services);
            limiter ??= MeteringChatClientBuilderExtensions.Required<ScopeRateLimiter>(services);
            return new AttemptChatClient(innerClient, [new RateLimitingStage(limiter, meter)], meter);
        });
    }
}
