using AiOrchestrator;
using Microsoft.Extensions.AI;

namespace DocSnippets;

public static class ScopeSnippets
{
    public static async Task ScopesAsync(IChatClient chat)
    {
        #region scope-ambient
        // Everything called inside the block is charged to this scope, across awaits.
        using (AiScope.Begin(organization: "acme", team: "support", user: "lee"))
        {
            await chat.GetResponseAsync("Summarise this ticket.");
        }
        #endregion

        #region scope-per-call
        // One call's options win over the ambient scope; levels they leave out come from it.
        var options = new ChatOptions
        {
            AdditionalProperties = new()
            {
                [AiScopeKeys.Team] = "support",
                [AiScopeKeys.Feature] = "triage",
            },
        };
        await chat.GetResponseAsync("Classify: 'my invoice is wrong'", options);
        #endregion
    }

    #region scope-resolver
    // Registered in DI, asked when neither the call nor the ambient scope says who pays.
    public sealed class TenantScopeResolver(Func<string?> currentTenant) : IAiScopeResolver
    {
        public AiScope? Resolve(ChatOptions? options)
            => currentTenant() is { } tenant ? new AiScope { Organization = tenant } : null;
    }
    #endregion
}
