using System.Collections.Frozen;
using System.Globalization;

namespace AiOrchestrator.RateLimits;

/// <summary>
/// The rules of one version of the options, ready to match: for a scope and model, which rule applies at each level
/// (the most specific, separately for rules with and without a model) and the partition each keeps its count in.
/// </summary>
internal sealed class RateLimitRuleSet
{
    private static readonly RateLimitLevel[] LevelsInOrder = [RateLimitLevel.User, RateLimitLevel.Team, RateLimitLevel.Organization];
    private readonly RateLimitRule[] _rules;
    private readonly string[] _identities;
    private readonly FrozenDictionary<string, decimal> _weights;

    public RateLimitRuleSet(RateLimitOptions options, int version)
    {
        Options = options;
        Version = version;
        _rules = [.. options.Limits];
        _identities = Array.ConvertAll(_rules, IdentityOf);
        _weights = options.ModelWeights.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
        UsesModels = _weights.Count > 0 || Array.Exists(_rules, r => r.Model is not null);
        IdleTicks = options.IdlePartitionTimeout.Ticks;
    }

    public RateLimitOptions Options { get; }

    public int Version { get; }

    /// <summary>True when some rule or weight depends on the model (else paths are shared by every model).</summary>
    public bool UsesModels { get; }

    public long IdleTicks { get; }

    /// <summary>A rule's identity: the scopes it applies to. Its partitions keep their counts across reloads under it.</summary>
    public static string IdentityOf(RateLimitRule rule) => string.Create(CultureInfo.InvariantCulture,
        $"{rule.Level}|{rule.Organization}|{rule.Team}|{rule.User}|{rule.Model?.ToUpperInvariant()}");

    /// <summary>The limits a call of <paramref name="key"/> passes, found or created by <paramref name="limiterFor"/>.</summary>
    public RateLimitPath Resolve(in PathKey key, Func<PartitionKey, RuleMatch, WindowLimiter> limiterFor)
    {
        var found = new List<WindowLimiter>();
        var hasCost = false;
        foreach (var level in LevelsInOrder)
        {
            if ((level == RateLimitLevel.User && key.User is null) || (level == RateLimitLevel.Team && key.Team is null))
            {
                continue;
            }

            for (var withModel = 0; withModel < 2; withModel++)
            {
                if (Best(key, level, withModel == 1) is not { } index)
                {
                    continue;
                }

                var rule = _rules[index];
                var model = rule.Model is null ? null : key.Model!.ToUpperInvariant();
                var team = level == RateLimitLevel.Team ? key.Team : null;
                var user = level == RateLimitLevel.User ? key.User : null;
                if (key.Stage == RateLimitStage.Requests)
                {
                    found.Add(limiterFor(new(_identities[index], RateLimitKind.Requests, key.Organization, team, user, model), new(rule, Options, rule.Requests!.Value)));
                    continue;
                }

                if (rule.Tokens is { } tokens)
                {
                    found.Add(limiterFor(new(_identities[index], RateLimitKind.Tokens, key.Organization, team, user, model), new(rule, Options, tokens)));
                }

                if (rule.Cost is { } cost)
                {
                    hasCost = true;
                    found.Add(limiterFor(new(_identities[index], RateLimitKind.Cost, key.Organization, team, user, model), new(rule, Options, RateLimitCost.ToUnits(cost))));
                }
            }
        }

        var weight = key.Model is not null && _weights.TryGetValue(key.Model, out var w) ? w : 1m;
        return new RateLimitPath(key, [.. found], Version, key.Stage == RateLimitStage.Attempt ? weight : 1m, hasCost);
    }

    /// <summary>Who a partition is for, in words, for errors and logs.</summary>
    public static string Describe(in PartitionKey key, RateLimitLevel level)
    {
        var organization = key.Organization ?? "(none)";
        var who = level switch
        {
            RateLimitLevel.User => $"user '{key.User}' of organization '{organization}'",
            RateLimitLevel.Team => $"team '{key.Team}' of organization '{organization}'",
            _ => $"organization '{organization}'",
        };
        return key.Model is null ? who : $"{who} on model '{key.Model.ToLowerInvariant()}'";
    }

    private int? Best(in PathKey key, RateLimitLevel level, bool withModel)
    {
        int? best = null;
        var bestScore = -1;
        for (var i = 0; i < _rules.Length; i++)
        {
            var rule = _rules[i];
            if (rule.Level != level || (rule.Model is not null) != withModel || !Limits(rule, key.Stage) || !Matches(rule, key))
            {
                continue;
            }

            var score = (rule.Organization is null ? 0 : 1) + (rule.Team is null ? 0 : 1) + (rule.User is null ? 0 : 1) + (rule.Model is null or "*" ? 0 : 1);
            if (score > bestScore)
            {
                best = i;
                bestScore = score;
            }
        }

        return best;
    }

    private static bool Limits(RateLimitRule rule, RateLimitStage stage)
        => stage == RateLimitStage.Requests ? rule.Requests is not null : rule.Tokens is not null || rule.Cost is not null;

    private static bool Matches(RateLimitRule rule, in PathKey key)
        => (rule.Organization is null || string.Equals(rule.Organization, key.Organization, StringComparison.Ordinal))
        && (rule.Team is null || string.Equals(rule.Team, key.Team, StringComparison.Ordinal))
        && (rule.User is null || string.Equals(rule.User, key.User, StringComparison.Ordinal))
        && (rule.Model is null || (key.Model is not null && (rule.Model == "*" || string.Equals(rule.Model, key.Model, StringComparison.OrdinalIgnoreCase))));

    /// <summary>The rule a partition follows, with its limit in the partition's units.</summary>
    internal readonly record struct RuleMatch(RateLimitRule Rule, RateLimitOptions Options, long Limit)
    {
        public TimeSpan Window => Rule.Window ?? Options.Window;

        public int QueueLimit => Rule.QueueLimit ?? Options.QueueLimit;
    }
}
