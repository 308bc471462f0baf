namespace AiOrchestrator.Routing;

/// <summary>
/// Thrown when a call's <c>ChatOptions.ModelId</c> is neither a configured alias nor the model of any target. The
/// message lists the known aliases.
/// </summary>
public sealed class UnknownModelAliasException : InvalidOperationException
{
    /// <summary>Creates the exception for <paramref name="modelId"/>.</summary>
    /// <param name="modelId">The model id the call asked for.</param>
    /// <param name="knownAliases">The aliases the router knows.</param>
    public UnknownModelAliasException(string modelId, IReadOnlyList<string> knownAliases)
        : base(BuildMessage(modelId, knownAliases))
    {
        ModelId = modelId;
        KnownAliases = knownAliases;
    }

    /// <summary>The model id the call asked for.</summary>
    public string ModelId { get; }

    /// <summary>The aliases the router knows.</summary>
    public IReadOnlyList<string> KnownAliases { get; }

    private static string BuildMessage(string modelId, IReadOnlyList<string> knownAliases)
        => $"'{modelId}' is not a model alias and no routing target serves that model. "
            + $"Known aliases: {(knownAliases.Count == 0 ? "(none)" : string.Join(", ", knownAliases))}. "
            + $"Use one of them as ChatOptions.ModelId, or add the alias under {RoutingOptions.SectionName}:Aliases.";
}
