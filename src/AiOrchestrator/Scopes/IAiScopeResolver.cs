using Microsoft.Extensions.AI;

namespace AiOrchestrator;

/// <summary>
/// Supplies the scope of a call when neither the call's options nor the ambient <see cref="AiScope"/> give one,
/// for example from the signed-in ASP.NET Core user. Register it in DI.
/// </summary>
public interface IAiScopeResolver
{
    /// <summary>Returns the scope for a call, or null to fall through to the configured default scope.</summary>
    AiScope? Resolve(ChatOptions? options);
}
