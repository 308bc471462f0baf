using AiOrchestrator.Http;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Checks <see cref="AiHttpHandlerOptions"/>; every message names the setting and the fix.</summary>
internal sealed class AiHttpHandlerOptionsValidator : IValidateOptions<AiHttpHandlerOptions>
{
    public ValidateOptionsResult Validate(string? name, AiHttpHandlerOptions options)
    {
        var failures = new List<string>();
        if (options.DefaultMaxOutputTokens is < 1)
        {
            failures.Add($"AiHttpHandlerOptions.DefaultMaxOutputTokens of HttpClient '{name}' is {options.DefaultMaxOutputTokens}; it must be at least 1, or null to use AiOrchestrator:Budgets:DefaultMaxOutputTokens (4,096 by default). It is the cap budgeted requests that set no max tokens are reserved for and sent with.");
        }

        if (options.Provider is not null && string.IsNullOrWhiteSpace(options.Provider))
        {
            failures.Add($"AiHttpHandlerOptions.Provider of HttpClient '{name}' is blank. Leave it null to name the provider from the host, or set a provider name such as 'groq'.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
