using System.Diagnostics.CodeAnalysis;
using AiOrchestrator.Metering;
using AiOrchestrator.Pipeline;
using AiOrchestrator.Safety;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.AI;

/// <summary>Adds the safety stage alone to a chat pipeline.</summary>
[Experimental(AiCall.ExperimentalDiagnosticId)]
public static class SafetyChatClientBuilderExtensions
{
    /// <summary>
    /// Adds input and output safety with the <see cref="SafetyGuard"/> registered by <c>AddSafety</c> (or
    /// <paramref name="guard"/>): every text of the call is checked before anything else sees it (redacted, or the call
    /// is refused with <see cref="SafetyPolicyViolationException"/>), and the answer is filtered and its placeholders
    /// restored. <c>UseAiOrchestrator()</c> includes this stage first; use this to add it alone.
    /// </summary>
    public static ChatClientBuilder UseSafety(this ChatClientBuilder builder, SafetyGuard? guard = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((innerClient, services) => Create(innerClient, services, guard)!);
    }

    /// <summary>The stage over <paramref name="innerClient"/>, or null when no guard is registered (and none given).</summary>
    internal static IChatClient? Create(IChatClient innerClient, IServiceProvider services, SafetyGuard? guard = null)
    {
        guard ??= guard is null && services.GetService<SafetyGuard>() is { } registered ? registered : null;
        if (guard is null)
        {
            return null;
        }

        var meter = MeteringChatClientBuilderExtensions.Required<UsageMeter>(services);
        return new SafetyChatClient(innerClient, guard, meter);
    }
}
