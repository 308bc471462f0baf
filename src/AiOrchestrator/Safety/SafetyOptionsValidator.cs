using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;
using AiOrchestrator.Pipeline;
using Microsoft.Extensions.Options;

namespace AiOrchestrator.Safety;

/// <summary>Checks <see cref="SafetyOptions"/>, naming the setting and the fix for each problem.</summary>
[Experimental(AiCall.ExperimentalDiagnosticId)]
public sealed class SafetyOptionsValidator : IValidateOptions<SafetyOptions>
{
    private static readonly string[] WellKnown =
    [
        "EMAIL", "PHONE", "CREDIT_CARD", "IBAN", "US_SSN", "IP_ADDRESS", "OPENAI_API_KEY", "ANTHROPIC_API_KEY", "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY", "GITHUB_TOKEN", "SLACK_TOKEN", "STRIPE_KEY", "BEARER_TOKEN", "JWT", "PRIVATE_KEY", "PASSWORD", "DENIED_TERM",
    ];

    private static readonly string[] DetectorNames = ["email", "phone", "payment-card", "iban", "us-ssn", "ip-address", "api-key", "token", "private-key", "password"];

    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, SafetyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = Collect(options);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    internal static List<string> Collect(SafetyOptions options)
    {
        var failures = new List<string>();
        var section = SafetyOptions.SectionName;
        var known = new HashSet<string>(WellKnown, StringComparer.Ordinal);
        for (var i = 0; i < options.CustomTypes.Count; i++)
        {
            if (!SensitiveDataType.IsValidName(options.CustomTypes[i]))
            {
                failures.Add($"{section}:CustomTypes:{i} is '{options.CustomTypes[i]}'; a type name is 1 to 40 characters of A-Z, 0-9 and '_', starting with a letter (such as EMPLOYEE_ID).");
            }
            else
            {
                known.Add(options.CustomTypes[i]);
            }
        }

        Action(failures, $"{section}:PersonalData", options.PersonalData);
        Action(failures, $"{section}:Secrets", options.Secrets);
        Action(failures, $"{section}:OtherTypes", options.OtherTypes);
        Action(failures, $"{section}:OutputPersonalData", options.OutputPersonalData);
        Action(failures, $"{section}:OutputSecrets", options.OutputSecrets);
        Injection(failures, section, options.InjectionThreshold, options.InjectionAction);
        if (options.StreamingHoldBack is < 0 or > 4096)
        {
            failures.Add($"{section}:StreamingHoldBack is {options.StreamingHoldBack}; it must be from 0 to 4096 characters (the default, 64, covers cards, phone numbers and IBANs written with spaces).");
        }

        Types(failures, $"{section}:Actions", options.Actions, known);
        Types(failures, $"{section}:OutputActions", options.OutputActions, known);

        var detection = options.Detection;
        if (detection is null)
        {
            failures.Add($"{section}:Detection is empty; remove it or set its entries.");
        }
        else
        {
            if (detection.MinimumConfidence is < 0 or > 1 || double.IsNaN(detection.MinimumConfidence))
            {
                failures.Add($"{section}:Detection:MinimumConfidence is {detection.MinimumConfidence}; it must be from 0 to 1 (the default is 0.5).");
            }

            for (var i = 0; i < detection.AllowPatterns.Count; i++)
            {
                try
                {
                    _ = new Regex(detection.AllowPatterns[i], RegexOptions.None, TimeSpan.FromMilliseconds(100));
                }
                catch (ArgumentException e)
                {
                    failures.Add($"{section}:Detection:AllowPatterns:{i} is not a valid regular expression ({e.Message}). Escape special characters such as '.' with a backslash.");
                }
            }

            for (var i = 0; i < detection.PhoneRegions.Count; i++)
            {
                var region = detection.PhoneRegions[i]?.Trim().ToUpperInvariant();
                if (region is null || !PhoneNumbers.PhoneNumberUtil.GetInstance().GetSupportedRegions().Contains(region))
                {
                    failures.Add($"{section}:Detection:PhoneRegions:{i} is '{detection.PhoneRegions[i]}', which is not a region libphonenumber knows; use an ISO 3166 code such as US, GB or DE.");
                }
            }

            for (var i = 0; i < detection.DisabledDetectors.Count; i++)
            {
                if (!DetectorNames.Contains(detection.DisabledDetectors[i], StringComparer.OrdinalIgnoreCase))
                {
                    failures.Add($"{section}:Detection:DisabledDetectors:{i} is '{detection.DisabledDetectors[i]}', which is not a built-in detector. Use one of: {string.Join(", ", DetectorNames)}.");
                }
            }

            for (var i = 0; i < detection.DenyList.Count; i++)
            {
                if (string.IsNullOrWhiteSpace(detection.DenyList[i]))
                {
                    failures.Add($"{section}:Detection:DenyList:{i} is empty; give a term or remove the entry.");
                }
            }
        }

        for (var i = 0; i < options.ScopeRules.Count; i++)
        {
            var rule = options.ScopeRules[i];
            var path = $"{section}:ScopeRules:{i}";
            if (rule is null)
            {
                failures.Add($"{path} is empty. Remove it, or give it an Organization, Team, App or Feature and the settings that differ.");
                continue;
            }

            if (rule.Organization is null && rule.Team is null && rule.App is null && rule.Feature is null)
            {
                failures.Add($"{path} names no Organization, Team, App or Feature, so it would apply to every call; change the top-level settings instead.");
            }

            Action(failures, $"{path}:PersonalData", rule.PersonalData);
            Action(failures, $"{path}:Secrets", rule.Secrets);
            Action(failures, $"{path}:OutputPersonalData", rule.OutputPersonalData);
            Action(failures, $"{path}:OutputSecrets", rule.OutputSecrets);
            if (rule.InjectionThreshold is not null || rule.InjectionAction is not null)
            {
                Injection(failures, path, rule.InjectionThreshold ?? options.InjectionThreshold, rule.InjectionAction ?? options.InjectionAction);
            }

            Types(failures, $"{path}:Actions", rule.Actions, known);
        }

        return failures;
    }

    private static void Action(List<string> failures, string path, SafetyAction? action)
    {
        if (action is { } a && !Enum.IsDefined(a))
        {
            failures.Add($"{path} is '{a}', which is not an action. Use Allow, Log, Warn, Redact or Block.");
        }
    }

    private static void Injection(List<string> failures, string path, double threshold, SafetyAction action)
    {
        if (threshold is <= 0 or > 1 || double.IsNaN(threshold))
        {
            failures.Add($"{path}:InjectionThreshold is {threshold}; it must be above 0 and at most 1 (the default, 0.5, was measured: see docs/safety-evaluation.md).");
        }

        if (action == SafetyAction.Redact || !Enum.IsDefined(action))
        {
            failures.Add($"{path}:InjectionAction is '{action}'; an injection cannot be redacted. Use Allow, Log, Warn or Block.");
        }
    }

    private static void Types(List<string> failures, string path, IDictionary<string, SafetyAction> actions, HashSet<string> known)
    {
        foreach (var (type, action) in actions)
        {
            if (!known.Contains(type))
            {
                failures.Add($"{path}:{type} names no known type. Use one of {string.Join(", ", WellKnown)}, or list a custom detector's type under {SafetyOptions.SectionName}:CustomTypes.");
            }

            Action(failures, $"{path}:{type}", action);
        }
    }
}
