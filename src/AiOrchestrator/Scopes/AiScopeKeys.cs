namespace AiOrchestrator;

/// <summary>
/// Keys read from <c>ChatOptions.AdditionalProperties</c> (or <c>EmbeddingGenerationOptions.AdditionalProperties</c>) to give one call its scope.
/// Either set <see cref="Scope"/> to an <see cref="AiScope"/>, or set the single levels.
/// </summary>
public static class AiScopeKeys
{
    /// <summary>A whole <see cref="AiScope"/>.</summary>
    public const string Scope = "aiorchestrator.scope";

    /// <summary>The organisation (a string).</summary>
    public const string Organization = "aiorchestrator.organization";

    /// <summary>The team (a string).</summary>
    public const string Team = "aiorchestrator.team";

    /// <summary>The user (a string).</summary>
    public const string User = "aiorchestrator.user";

    /// <summary>The app (a string).</summary>
    public const string App = "aiorchestrator.app";

    /// <summary>The feature (a string).</summary>
    public const string Feature = "aiorchestrator.feature";
}
