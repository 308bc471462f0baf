using System.Diagnostics.CodeAnalysis;

namespace AiOrchestrator.Budgets;

/// <summary>
/// Names a wallet by scope level and the names on the scope path: <c>org:acme</c>, <c>team:acme/search</c>,
/// <c>user:acme/search/alice</c>, <c>app:acme/chatbot</c>. A <c>/</c> or <c>%</c> inside a name is escaped
/// (<c>%2F</c>, <c>%25</c>) so every id is unambiguous.
/// </summary>
public readonly struct WalletId : IEquatable<WalletId>, IComparable<WalletId>
{
    private readonly string? _value;

    // Computed once: wallet ids are dictionary keys on the ledger's hot path.
    private readonly int _hash;

    private WalletId(WalletLevel level, string value)
    {
        Level = level;
        _value = value;
        _hash = StringComparer.Ordinal.GetHashCode(value);
    }

    /// <summary>The scope level of the wallet.</summary>
    public WalletLevel Level { get; }

    /// <summary>The text form, such as <c>team:acme/search</c>.</summary>
    public string Value => _value ?? string.Empty;

    /// <summary>True for <c>default(WalletId)</c>, which names no wallet.</summary>
    public bool IsEmpty => _value is null;

    /// <summary>The wallet of an organisation.</summary>
    public static WalletId ForOrganization(string organization)
        => new(WalletLevel.Organization, "org:" + Escape(organization, nameof(organization)));

    /// <summary>The wallet of a team within an organisation.</summary>
    public static WalletId ForTeam(string organization, string team)
        => new(WalletLevel.Team, "team:" + Escape(organization, nameof(organization)) + "/" + Escape(team, nameof(team)));

    /// <summary>The wallet of a user within a team.</summary>
    public static WalletId ForUser(string organization, string team, string user)
        => new(WalletLevel.User, "user:" + Escape(organization, nameof(organization)) + "/" + Escape(team, nameof(team)) + "/" + Escape(user, nameof(user)));

    /// <summary>The wallet of an application within an organisation.</summary>
    public static WalletId ForApp(string organization, string app)
        => new(WalletLevel.App, "app:" + Escape(organization, nameof(organization)) + "/" + Escape(app, nameof(app)));

    /// <summary>
    /// The wallets on the path of <paramref name="scope"/>, most specific first: user, team, app, organisation.
    /// Levels the scope does not name are left out; a team or app needs the organisation, a user needs the team.
    /// Which of these wallets exist is up to the ledger (see <see cref="IBudgetReservations.GetWalletPath(AiScope)"/>).
    /// </summary>
    public static IReadOnlyList<WalletId> PathOf(AiScope scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var path = new List<WalletId>(4);
        if (scope.Organization is { } org)
        {
            if (scope.Team is { } team)
            {
                if (scope.User is { } user)
                {
                    path.Add(ForUser(org, team, user));
                }

                path.Add(ForTeam(org, team));
            }

            if (scope.App is { } app)
            {
                path.Add(ForApp(org, app));
            }

            path.Add(ForOrganization(org));
        }

        return path;
    }

    /// <summary>Parses a text form such as <c>team:acme/search</c>.</summary>
    /// <exception cref="FormatException">The text is not a wallet id.</exception>
    public static WalletId Parse(string text)
        => TryParse(text, out var id) ? id : throw new FormatException(
            $"'{text}' is not a wallet id. Use 'org:<org>', 'team:<org>/<team>', 'user:<org>/<team>/<user>' or 'app:<org>/<app>'.");

    /// <summary>Tries to parse a text form such as <c>team:acme/search</c>.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out WalletId id)
    {
        id = default;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            return false;
        }

        var prefix = text.AsSpan(0, colon);
        WalletLevel level;
        int names;
        if (prefix.SequenceEqual("org"))
        {
            (level, names) = (WalletLevel.Organization, 1);
        }
        else if (prefix.SequenceEqual("team"))
        {
            (level, names) = (WalletLevel.Team, 2);
        }
        else if (prefix.SequenceEqual("user"))
        {
            (level, names) = (WalletLevel.User, 3);
        }
        else if (prefix.SequenceEqual("app"))
        {
            (level, names) = (WalletLevel.App, 2);
        }
        else
        {
            return false;
        }

        var rest = text.AsSpan(colon + 1);
        var count = 1;
        var segmentLength = 0;
        foreach (var c in rest)
        {
            if (c == '/')
            {
                if (segmentLength == 0)
                {
                    return false;
                }

                count++;
                segmentLength = 0;
            }
            else
            {
                segmentLength++;
            }
        }

        if (count != names || segmentLength == 0)
        {
            return false;
        }

        id = new WalletId(level, text);
        return true;
    }

    /// <inheritdoc/>
    public bool Equals(WalletId other) => _hash == other._hash && string.Equals(_value, other._value, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is WalletId other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => _hash;

    /// <summary>Orders ids ordinally by their text form (the order in which wallets are locked).</summary>
    public int CompareTo(WalletId other) => string.CompareOrdinal(_value, other._value);

    /// <summary>The text form, such as <c>team:acme/search</c>.</summary>
    public override string ToString() => _value ?? "(none)";

    /// <summary>Equality of the text forms.</summary>
    public static bool operator ==(WalletId left, WalletId right) => left.Equals(right);

    /// <summary>Inequality of the text forms.</summary>
    public static bool operator !=(WalletId left, WalletId right) => !left.Equals(right);

    /// <summary>Ordinal order of the text forms.</summary>
    public static bool operator <(WalletId left, WalletId right) => left.CompareTo(right) < 0;

    /// <summary>Ordinal order of the text forms.</summary>
    public static bool operator >(WalletId left, WalletId right) => left.CompareTo(right) > 0;

    /// <summary>Ordinal order of the text forms.</summary>
    public static bool operator <=(WalletId left, WalletId right) => left.CompareTo(right) <= 0;

    /// <summary>Ordinal order of the text forms.</summary>
    public static bool operator >=(WalletId left, WalletId right) => left.CompareTo(right) >= 0;

    private static string Escape(string name, string parameter)
    {
        ArgumentException.ThrowIfNullOrEmpty(name, parameter);
        return name.Contains('/', StringComparison.Ordinal) || name.Contains('%', StringComparison.Ordinal)
            ? name.Replace("%", "%25", StringComparison.Ordinal).Replace("/", "%2F", StringComparison.Ordinal)
            : name;
    }
}
