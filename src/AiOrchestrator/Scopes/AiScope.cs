using System.Collections.Frozen;
using System.Text;

namespace AiOrchestrator;

/// <summary>
/// Who a call is made for: organisation → team → user, plus the app and feature making it and free tags.
/// Wallets, usage records, metrics and (later) cache and rate-limit partitions are keyed by it.
/// </summary>
/// <remarks>
/// A scope comes from, in order: the call's <c>ChatOptions.AdditionalProperties</c> (see <see cref="AiScopeKeys"/>),
/// the ambient scope set with <see cref="Begin(AiScope)"/>, an <see cref="IAiScopeResolver"/> from DI, and finally
/// the configured default scope.
/// </remarks>
public sealed record AiScope
{
    private static readonly AsyncLocal<AiScope?> AmbientScope = new();

    /// <summary>The organisation (tenant) that pays.</summary>
    public string? Organization { get; init; }

    /// <summary>The team within the organisation.</summary>
    public string? Team { get; init; }

    /// <summary>The end user on whose behalf the call is made.</summary>
    public string? User { get; init; }

    /// <summary>The application making the call.</summary>
    public string? App { get; init; }

    /// <summary>The feature of the application making the call.</summary>
    public string? Feature { get; init; }

    /// <summary>Free-form tags (for example <c>env=prod</c>) recorded with usage.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = EmptyTags;

    internal static IReadOnlyDictionary<string, string> EmptyTags { get; } = FrozenDictionary<string, string>.Empty;

    /// <summary>The ambient scope of the current async flow, or null.</summary>
    public static AiScope? Current => AmbientScope.Value;

    /// <summary>True when no level of the scope is set.</summary>
    public bool IsEmpty => Organization is null && Team is null && User is null && App is null && Feature is null && Tags.Count == 0;

    /// <summary>
    /// Makes <paramref name="scope"/> the ambient scope of the current async flow until the returned handle is
    /// disposed; the previous scope is restored then.
    /// </summary>
    public static IDisposable Begin(AiScope scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var previous = AmbientScope.Value;
        AmbientScope.Value = scope;
        return new Restore(previous);
    }

    /// <summary>Makes a scope for an organisation, team and user the ambient scope; see <see cref="Begin(AiScope)"/>.</summary>
    public static IDisposable Begin(string? organization = null, string? team = null, string? user = null, string? app = null, string? feature = null)
        => Begin(new AiScope { Organization = organization, Team = team, User = user, App = app, Feature = feature });

    /// <summary>
    /// Fills the organisation and app this scope leaves unset from <paramref name="fallback"/> (the configured
    /// default scope), so that a call scoped only to a user or team is still paid for by an organisation.
    /// Team and user are never borrowed: a user without a team is not put in the default team.
    /// </summary>
    public AiScope WithDefaults(AiScope? fallback)
    {
        if (fallback is null || ReferenceEquals(fallback, this))
        {
            return this;
        }

        if ((Organization is not null || fallback.Organization is null) && (App is not null || fallback.App is null))
        {
            return this;
        }

        return this with
        {
            Organization = Organization ?? fallback.Organization,
            App = App ?? fallback.App,
        };
    }

    /// <summary>A stable text form such as <c>org=acme/team=search/user=u1</c>, used as a partition key.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        Append(sb, "org", Organization);
        Append(sb, "team", Team);
        Append(sb, "user", User);
        Append(sb, "app", App);
        Append(sb, "feature", Feature);
        return sb.Length == 0 ? "(none)" : sb.ToString();

        static void Append(StringBuilder sb, string name, string? value)
        {
            if (value is null)
            {
                return;
            }

            if (sb.Length > 0)
            {
                sb.Append('/');
            }

            sb.Append(name).Append('=').Append(value);
        }
    }

    private sealed class Restore(AiScope? previous) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                AmbientScope.Value = previous;
            }
        }
    }
}
