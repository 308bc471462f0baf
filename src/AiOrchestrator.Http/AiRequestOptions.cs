namespace AiOrchestrator.Http;

/// <summary>
/// Keys of <see cref="HttpRequestMessage.Options"/> that the AiOrchestrator handler reads.
/// </summary>
/// <example>
/// <code>
/// request.Options.Set(AiRequestOptions.Scope, new AiScope { Organization = "acme", Team = "search", User = "alice" });
/// </code>
/// </example>
public static class AiRequestOptions
{
    /// <summary>
    /// The scope the call is made for. When unset, the ambient scope (<see cref="AiScope.Begin(AiScope)"/>), then an
    /// <see cref="IAiScopeResolver"/> from DI, then the configured default scope apply. Organisation and app left
    /// unset are taken from the default scope.
    /// </summary>
    public static HttpRequestOptionsKey<AiScope> Scope { get; } = new("aiorchestrator.scope");

    /// <summary>Set to <see langword="true"/> to send this request to the provider and keep its answer out of the response cache.</summary>
    public static HttpRequestOptionsKey<bool> NoCache { get; } = new("aiorchestrator.cache.skip");
}
