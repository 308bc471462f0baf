using AiOrchestrator.Pricing;
using Microsoft.Extensions.Options;

namespace AiOrchestrator;

/// <summary>Checks <see cref="AiOrchestratorOptions"/> at start-up; every message names the setting and the fix.</summary>
internal sealed class AiOrchestratorOptionsValidator : IValidateOptions<AiOrchestratorOptions>
{
    private const string Section = AiOrchestratorOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, AiOrchestratorOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.StorePath))
        {
            failures.Add($"{Section}:StorePath is empty. Set it to a file path such as 'data/aiorchestrator.db', or ':memory:' for a store that is not kept.");
        }
        else if (options.StorePath != ":memory:" && options.StorePath.AsSpan().IndexOfAny(Path.GetInvalidPathChars()) >= 0)
        {
            failures.Add($"{Section}:StorePath '{options.StorePath}' contains characters that are not allowed in a path.");
        }

        if (options.UsageRetention is { } retention && retention <= TimeSpan.Zero)
        {
            failures.Add($"{Section}:UsageRetention is {retention}; it must be positive (for example '90.00:00:00' for 90 days), or unset to keep every record.");
        }

        if (options.DefaultScope is null || string.IsNullOrWhiteSpace(options.DefaultScope.Organization))
        {
            failures.Add($"{Section}:DefaultScope:Organization is empty. Calls without a scope are charged to the default scope, so it needs an organisation, for example 'default'.");
        }

        if (!Enum.IsDefined(options.TokenCounting))
        {
            failures.Add($"{Section}:TokenCounting '{options.TokenCounting}' is not one of: {string.Join(", ", Enum.GetNames<Tokens.TokenCountingMode>())}.");
        }

        if (options.Pricing is null)
        {
            failures.Add($"{Section}:Pricing is null. Leave it unset to use the shipped prices.");
        }
        else
        {
            var pricing = new PricingOptionsValidator().Validate(name, options.Pricing);
            if (pricing.Failed)
            {
                failures.AddRange(pricing.Failures);
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
