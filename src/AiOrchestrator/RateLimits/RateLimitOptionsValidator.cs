using Microsoft.Extensions.Options;

namespace AiOrchestrator.RateLimits;

/// <summary>Checks <see cref="RateLimitOptions"/>, naming the setting and the fix for each problem.</summary>
public sealed class RateLimitOptionsValidator : IValidateOptions<RateLimitOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, RateLimitOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = Collect(options);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    internal static List<string> Collect(RateLimitOptions options)
    {
        var failures = new List<string>();
        const string section = RateLimitOptions.SectionName;
        CheckWindow(options.Window, $"{section}:Window", failures);
        if (options.Segments is < 1 or > RateLimitOptions.MaxSegments)
        {
            failures.Add($"{section}:Segments is {options.Segments}; it must be from 1 to {RateLimitOptions.MaxSegments} (60 counts a minute in one-second slices).");
        }

        CheckQueue(options.QueueLimit, $"{section}:QueueLimit", failures);
        if (options.IdlePartitionTimeout <= TimeSpan.Zero)
        {
            failures.Add($"{section}:IdlePartitionTimeout is {options.IdlePartitionTimeout}; it must be positive, such as 00:10:00.");
        }

        foreach (var (model, weight) in options.ModelWeights)
        {
            if (weight <= 0m)
            {
                failures.Add($"{section}:ModelWeights:{model} is {weight}; a weight must be above 0 (1 counts a model's tokens as they are).");
            }
        }

        var identities = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < options.Limits.Count; i++)
        {
            var rule = options.Limits[i];
            var path = $"{section}:Limits:{i}";
            if (rule is null)
            {
                failures.Add($"{path} is empty. Remove it, or give it a Level and a Requests, Tokens or Cost limit.");
                continue;
            }

            if (!Enum.IsDefined(rule.Level))
            {
                failures.Add($"{path}:Level is '{rule.Level}', which is not a level. Use Organization, Team or User.");
            }

            if (rule.Requests is null && rule.Tokens is null && rule.Cost is null)
            {
                failures.Add($"{path} sets no limit; give it Requests, Tokens or Cost (per window), or remove it.");
            }

            if (rule.Requests is <= 0)
            {
                failures.Add($"{path}:Requests is {rule.Requests}; it must be at least 1. Remove it for no request limit.");
            }

            if (rule.Tokens is <= 0)
            {
                failures.Add($"{path}:Tokens is {rule.Tokens}; it must be at least 1. Remove it for no token limit.");
            }

            if (rule.Cost is { } cost && (cost <= 0m || cost > RateLimitCost.MaxDollars))
            {
                failures.Add($"{path}:Cost is {cost}; it must be above 0 and at most {RateLimitCost.MaxDollars} (US dollars per window). Remove it for no cost limit.");
            }

            if (rule.Window is { } window)
            {
                CheckWindow(window, $"{path}:Window", failures);
            }

            if (rule.QueueLimit is { } queue)
            {
                CheckQueue(queue, $"{path}:QueueLimit", failures);
            }

            if (rule.Level == RateLimitLevel.Organization && (rule.Team is not null || rule.User is not null))
            {
                failures.Add($"{path} keeps one count per organisation but names a team or user; use Level Team or User for that.");
            }
            else if (rule.Level == RateLimitLevel.Team && rule.User is not null)
            {
                failures.Add($"{path} keeps one count per team but names a user; use Level User for that.");
            }

            if (rule.Model is { Length: 0 } || rule.Organization is { Length: 0 } || rule.Team is { Length: 0 } || rule.User is { Length: 0 })
            {
                failures.Add($"{path} has an empty Organization, Team, User or Model; remove the key to match every one.");
            }

            var identity = RateLimitRuleSet.IdentityOf(rule);
            if (identities.TryGetValue(identity, out var first))
            {
                failures.Add($"{path} applies to the same scopes as {section}:Limits:{first}; merge them into one rule.");
            }
            else
            {
                identities[identity] = i;
            }
        }

        return failures;
    }

    private static void CheckWindow(TimeSpan window, string path, List<string> failures)
    {
        if (window <= TimeSpan.Zero || window > TimeSpan.FromDays(1))
        {
            failures.Add($"{path} is {window}; it must be positive and at most a day, such as 00:01:00.");
        }
    }

    private static void CheckQueue(int queue, string path, List<string> failures)
    {
        if (queue is < 0 or > RateLimitOptions.MaxQueueLimit)
        {
            failures.Add($"{path} is {queue}; it must be from 0 (refuse at once) to {RateLimitOptions.MaxQueueLimit}.");
        }
    }
}
