namespace AiOrchestrator.RateLimits;

/// <summary>
/// One limit: which scopes it applies to, at which level each keeps its own count, and how many requests, tokens or
/// how much cost each may use per window. For example <c>{ Level = User, Requests = 60 }</c> gives every user 60
/// calls a minute; <c>{ Level = Team, Organization = "acme", Team = "search", Tokens = 500000 }</c> overrides it for one team.
/// </summary>
/// <remarks>
/// At each level the most specific matching rule applies (the one naming the most of organisation, team, user and
/// model; the first listed on a tie), separately for rules without a model and rules with one, so an organisation can
/// have a total limit and a tighter one on an expensive model. A call must pass the limits of its user, its team and
/// its organisation.
/// </remarks>
public sealed class RateLimitRule
{
    /// <summary>The level that keeps the count: every organisation, team or user matched has its own.</summary>
    public RateLimitLevel Level { get; set; }

    /// <summary>Only scopes of this organisation; null for every organisation.</summary>
    public string? Organization { get; set; }

    /// <summary>Only scopes of this team (for <see cref="RateLimitLevel.Team"/> and <see cref="RateLimitLevel.User"/> rules); null for every team.</summary>
    public string? Team { get; set; }

    /// <summary>Only this user (for <see cref="RateLimitLevel.User"/> rules); null for every user.</summary>
    public string? User { get; set; }

    /// <summary>
    /// Null: every model counts against one limit. A model id (such as <c>gpt-4o</c>): only calls to that model, with
    /// their own count. <c>*</c>: every model has its own count. Requests use the model the caller asked for (before
    /// routing); tokens and cost use the model of the attempt.
    /// </summary>
    public string? Model { get; set; }

    /// <summary>Calls per window; null for no request limit.</summary>
    public long? Requests { get; set; }

    /// <summary>Tokens (input + output, weighted by <see cref="RateLimitOptions.ModelWeights"/>) per window; null for no token limit.</summary>
    public long? Tokens { get; set; }

    /// <summary>Cost in US dollars per window; null for no cost limit.</summary>
    public decimal? Cost { get; set; }

    /// <summary>The window of this rule; null for <see cref="RateLimitOptions.Window"/>.</summary>
    public TimeSpan? Window { get; set; }

    /// <summary>How many calls may wait for this rule's limit, per partition; null for <see cref="RateLimitOptions.QueueLimit"/>.</summary>
    public int? QueueLimit { get; set; }
}
