using Microsoft.Extensions.AI;

namespace AiOrchestrator;

/// <summary>
/// What the stages of one call share: who it is for, and what it used and cost once metered. The outermost stage
/// that needs it creates it and passes it down in the call's <see cref="ChatOptions.AdditionalProperties"/>, so no
/// stage recomputes what another already knows.
/// </summary>
internal sealed class AiCallContext
{
    public const string Key = "aiorchestrator.call";

    public AiCallContext(AiScope scope) => Scope = scope;

    /// <summary>Who the call is for.</summary>
    public AiScope Scope { get; }

    /// <summary>The provider that served the last attempt.</summary>
    public string? Provider { get; set; }

    /// <summary>The model that served the last attempt.</summary>
    public string? Model { get; set; }

    /// <summary>The routing target (its configured name) of the current attempt, when a router chose it.</summary>
    public string? Route { get; set; }

    /// <summary>The usage of the last attempt, once metered.</summary>
    public TokenUsage? Usage { get; set; }

    /// <summary>The cost of the last attempt, once metered.</summary>
    public Money? Cost { get; set; }

    public static AiCallContext? Get(ChatOptions? options)
        => options?.AdditionalProperties is { } p && p.TryGetValue(Key, out var value) ? value as AiCallContext : null;
}
