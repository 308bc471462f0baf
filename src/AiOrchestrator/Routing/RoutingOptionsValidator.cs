using Microsoft.Extensions.Options;

namespace AiOrchestrator.Routing;

/// <summary>Checks <see cref="RoutingOptions"/> when the app starts and when a router is built; every message names the setting.</summary>
internal sealed class RoutingOptionsValidator : IValidateOptions<RoutingOptions>
{
    private const string Section = RoutingOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, RoutingOptions options)
    {
        var failures = Check(options);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Throws <see cref="OptionsValidationException"/> listing every problem.</summary>
    public static void ThrowIfInvalid(RoutingOptions options)
    {
        var failures = Check(options);
        if (failures.Count > 0)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(RoutingOptions), failures);
        }
    }

    private static List<string> Check(RoutingOptions options)
    {
        var failures = new List<string>();
        if (options.Aliases is null)
        {
            failures.Add($"{Section}:Aliases is null. Add aliases such as 'smart' with their targets.");
            return failures;
        }

        var models = new Dictionary<string, (string Model, string Alias)>(StringComparer.Ordinal);
        foreach (var (alias, route) in options.Aliases)
        {
            CheckRoute(alias, route, models, failures);
        }

        if (options.DefaultAlias is { } defaultAlias && !options.Aliases.ContainsKey(defaultAlias))
        {
            failures.Add($"{Section}:DefaultAlias '{defaultAlias}' is not an alias. Known aliases: {Known(options)}.");
        }

        if (options.AttemptTimeout is { } timeout && timeout <= TimeSpan.Zero)
        {
            failures.Add($"{Section}:AttemptTimeout is {timeout}; it must be positive, for example '00:00:30', or unset for no limit.");
        }

        if (options.DefaultMaxOutputTokens <= 0)
        {
            failures.Add($"{Section}:DefaultMaxOutputTokens is {options.DefaultMaxOutputTokens}; it must be positive, for example 4096.");
        }

        CheckBreaker(options.CircuitBreaker, failures);
        return failures;
    }

    private static void CheckRoute(string alias, RouteOptions? route, Dictionary<string, (string Model, string Alias)> models, List<string> failures)
    {
        var at = $"{Section}:Aliases:{alias}";
        if (string.IsNullOrWhiteSpace(alias))
        {
            failures.Add($"{Section}:Aliases has an empty alias name. Give every alias a name such as 'smart'.");
        }

        if (route is null)
        {
            failures.Add($"{at} is null. Give it a Strategy and Targets.");
            return;
        }

        if (!Enum.IsDefined(route.Strategy))
        {
            failures.Add($"{at}:Strategy '{route.Strategy}' is not one of: {string.Join(", ", Enum.GetNames<RoutingStrategy>())}.");
        }

        if (route.Targets is null || route.Targets.Count == 0)
        {
            failures.Add($"{at}:Targets is empty. Add at least one target with a Name, a ModelId and a ClientKey (or a Client in code).");
            return;
        }

        if (route.LowBudgetFraction is < 0 or >= 1 || double.IsNaN(route.LowBudgetFraction))
        {
            failures.Add($"{at}:LowBudgetFraction is {route.LowBudgetFraction}; it must be at least 0 and below 1, for example 0.2.");
        }

        if (route.LowBudgetAmount is < 0)
        {
            failures.Add($"{at}:LowBudgetAmount is {route.LowBudgetAmount}; it must not be negative.");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < route.Targets.Count; i++)
        {
            var target = route.Targets[i];
            var t = $"{at}:Targets:{i}";
            if (target is null)
            {
                failures.Add($"{t} is null.");
                continue;
            }

            if (string.IsNullOrWhiteSpace(target.Name))
            {
                failures.Add($"{t}:Name is empty. Name every target, for example 'openai-gpt-4o'.");
            }
            else if (!names.Add(target.Name))
            {
                failures.Add($"{t}:Name '{target.Name}' is used twice in '{alias}'. Target names must be unique within an alias.");
            }

            if (string.IsNullOrWhiteSpace(target.ModelId))
            {
                failures.Add($"{t}:ModelId is empty. Set the model the provider should run, for example 'gpt-4o'.");
            }
            else if (!string.IsNullOrWhiteSpace(target.Name))
            {
                if (models.TryGetValue(target.Name, out var seen) && !string.Equals(seen.Model, target.ModelId, StringComparison.Ordinal))
                {
                    failures.Add($"{t}:Name '{target.Name}' is used in '{seen.Alias}' for model '{seen.Model}' and here for '{target.ModelId}'. A name is one target (they share health): give each a different name.");
                }
                else
                {
                    models[target.Name] = (target.ModelId, alias);
                }
            }

            if (double.IsNaN(target.Weight) || double.IsInfinity(target.Weight) || target.Weight <= 0)
            {
                failures.Add($"{t}:Weight is {target.Weight}; it must be above 0 (weights are relative: 3 and 1 send three calls in four to the first).");
            }

            if (target.Timeout is { } timeout && timeout <= TimeSpan.Zero)
            {
                failures.Add($"{t}:Timeout is {timeout}; it must be positive, for example '00:00:20', or unset to use {Section}:AttemptTimeout.");
            }

            if (target.Client is not null && !string.IsNullOrEmpty(target.ClientKey))
            {
                failures.Add($"{t} sets both Client and ClientKey '{target.ClientKey}'. Set one of them.");
            }
        }
    }

    private static void CheckBreaker(CircuitBreakerOptions? breaker, List<string> failures)
    {
        var at = $"{Section}:CircuitBreaker";
        if (breaker is null)
        {
            failures.Add($"{at} is null. Leave it unset to use the defaults.");
            return;
        }

        if (breaker.ConsecutiveFailures < 0)
        {
            failures.Add($"{at}:ConsecutiveFailures is {breaker.ConsecutiveFailures}; it must be 0 (off) or more.");
        }

        if (breaker.FailureRatio is <= 0 or > 1 || double.IsNaN(breaker.FailureRatio))
        {
            failures.Add($"{at}:FailureRatio is {breaker.FailureRatio}; it must be above 0 and at most 1, for example 0.5.");
        }

        if (breaker.MinimumThroughput < 1)
        {
            failures.Add($"{at}:MinimumThroughput is {breaker.MinimumThroughput}; it must be at least 1.");
        }

        if (breaker.SamplingDuration <= TimeSpan.Zero)
        {
            failures.Add($"{at}:SamplingDuration is {breaker.SamplingDuration}; it must be positive, for example '00:00:30'.");
        }

        if (breaker.BreakDuration <= TimeSpan.Zero)
        {
            failures.Add($"{at}:BreakDuration is {breaker.BreakDuration}; it must be positive, for example '00:00:30'.");
        }

        if (breaker.MaxRetryAfter < TimeSpan.Zero)
        {
            failures.Add($"{at}:MaxRetryAfter is {breaker.MaxRetryAfter}; it must be zero (ignore Retry-After) or positive.");
        }
    }

    private static string Known(RoutingOptions options)
        => options.Aliases.Count == 0 ? "(none)" : string.Join(", ", options.Aliases.Keys);
}
