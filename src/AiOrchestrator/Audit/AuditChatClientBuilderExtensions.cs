using System.Diagnostics.CodeAnalysis;
using AiOrchestrator.Audit;
using AiOrchestrator.Metering;
using AiOrchestrator.Pipeline;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.AI;

/// <summary>Adds the audit stage alone to a chat pipeline.</summary>
[Experimental(AiCall.ExperimentalDiagnosticId)]
public static class AuditChatClientBuilderExtensions
{
    /// <summary>
    /// Appends every attempt's outcome (settled with its cost, released, blocked, limit rejected) to the audit log
    /// registered by <c>AddAuditLog</c>, under the call's id, without prompt or response text. <c>UseAiOrchestrator()</c>
    /// includes this stage in its place; use this to add it alone.
    /// </summary>
    public static ChatClientBuilder UseAudit(this ChatClientBuilder builder, IAuditSink? sink = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((innerClient, services) =>
        {
            var meter = MeteringChatClientBuilderExtensions.Required<UsageMeter>(services);
            sink ??= MeteringChatClientBuilderExtensions.Required<IAuditSink>(services);
            var logger = services.GetService<ILogger<AuditLog>>() ?? (ILogger)Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
            return new AttemptChatClient(innerClient, [new AuditStage(sink, meter.Pricing, logger)], meter);
        });
    }
}
