using Microsoft.Extensions.AI;

namespace AiOrchestrator;

/// <summary>Finds the scope of one call, in the documented order.</summary>
internal static class ScopeResolution
{
    /// <summary>
    /// The call's options (a whole <see cref="AiScope"/> or single levels), then the ambient scope, then the
    /// resolver from DI, then <paramref name="defaultScope"/>. Organisation and app left unset are taken from
    /// <paramref name="defaultScope"/>.
    /// </summary>
    public static AiScope Resolve(ChatOptions? options, IAiScopeResolver? resolver, AiScope defaultScope)
    {
        var scope = FromOptions(options) ?? AiScope.Current ?? resolver?.Resolve(options);
        return scope is null || scope.IsEmpty ? defaultScope : scope.WithDefaults(defaultScope);
    }

    /// <summary>
    /// The same order for an embedding call: its options' <see cref="EmbeddingGenerationOptions.AdditionalProperties"/>,
    /// the ambient scope, the resolver (given a <see cref="ChatOptions"/> that carries the call's model id and
    /// additional properties), then <paramref name="defaultScope"/>.
    /// </summary>
    public static AiScope ResolveEmbedding(EmbeddingGenerationOptions? options, IAiScopeResolver? resolver, AiScope defaultScope)
    {
        var scope = FromProperties(options?.AdditionalProperties) ?? AiScope.Current
            ?? resolver?.Resolve(options is null ? null : new ChatOptions { ModelId = options.ModelId, AdditionalProperties = options.AdditionalProperties });
        return scope is null || scope.IsEmpty ? defaultScope : scope.WithDefaults(defaultScope);
    }

    private static AiScope? FromOptions(ChatOptions? options) => FromProperties(options?.AdditionalProperties);

    private static AiScope? FromProperties(AdditionalPropertiesDictionary? properties)
    {
        if (properties is null || properties.Count == 0)
        {
            return null;
        }

        if (properties.TryGetValue(AiScopeKeys.Scope, out var whole) && whole is AiScope scope)
        {
            return scope;
        }

        var organization = Level(properties, AiScopeKeys.Organization);
        var team = Level(properties, AiScopeKeys.Team);
        var user = Level(properties, AiScopeKeys.User);
        var app = Level(properties, AiScopeKeys.App);
        var feature = Level(properties, AiScopeKeys.Feature);
        if (organization is null && team is null && user is null && app is null && feature is null)
        {
            return null;
        }

        // Levels the options leave out come from the ambient scope, so a per-call feature keeps the ambient team.
        var ambient = AiScope.Current;
        return new AiScope
        {
            Organization = organization ?? ambient?.Organization,
            Team = team ?? ambient?.Team,
            User = user ?? ambient?.User,
            App = app ?? ambient?.App,
            Feature = feature ?? ambient?.Feature,
            Tags = ambient?.Tags ?? AiScope.EmptyTags,
        };
    }

    private static string? Level(AdditionalPropertiesDictionary properties, string key)
        => properties.TryGetValue(key, out var value) ? value as string ?? value?.ToString() : null;
}
