using System.Diagnostics.CodeAnalysis;
using AiOrchestrator.Pipeline;

namespace AiOrchestrator.Safety;

/// <summary>
/// Other safety settings for the calls of a scope: an organisation, team, app and/or feature (each left unset matches
/// any). The first matching rule in <see cref="SafetyOptions.ScopeRules"/> applies; what it leaves unset comes from the
/// top-level settings.
/// </summary>
[Experimental(AiCall.ExperimentalDiagnosticId)]
public sealed class SafetyScopeRule
{
    /// <summary>A name for messages and decisions; defaults to <c>ScopeRules:{index}</c>.</summary>
    public string? Name { get; set; }

    /// <summary>The organisation the rule applies to; null for any.</summary>
    public string? Organization { get; set; }

    /// <summary>The team the rule applies to; null for any.</summary>
    public string? Team { get; set; }

    /// <summary>The app the rule applies to; null for any.</summary>
    public string? App { get; set; }

    /// <summary>The feature the rule applies to; null for any.</summary>
    public string? Feature { get; set; }

    /// <summary>The action for personal data in the input (e-mail, phone, card, IBAN, SSN, IP).</summary>
    public SafetyAction? PersonalData { get; set; }

    /// <summary>The action for secrets in the input (keys, tokens, passwords, private keys).</summary>
    public SafetyAction? Secrets { get; set; }

    /// <summary>Actions by type name (such as <c>EMAIL</c>) for the input; they win over <see cref="PersonalData"/> and <see cref="Secrets"/>.</summary>
    public IDictionary<string, SafetyAction> Actions { get; } = new Dictionary<string, SafetyAction>(StringComparer.Ordinal);

    /// <summary>The injection score at or above which <see cref="InjectionAction"/> applies.</summary>
    public double? InjectionThreshold { get; set; }

    /// <summary>What to do with a likely prompt injection.</summary>
    public SafetyAction? InjectionAction { get; set; }

    /// <summary>The action for personal data appearing in the model's answer.</summary>
    public SafetyAction? OutputPersonalData { get; set; }

    /// <summary>The action for secrets appearing in the model's answer.</summary>
    public SafetyAction? OutputSecrets { get; set; }

    internal bool Matches(AiScope scope)
        => (Organization is null || string.Equals(Organization, scope.Organization, StringComparison.Ordinal))
        && (Team is null || string.Equals(Team, scope.Team, StringComparison.Ordinal))
        && (App is null || string.Equals(App, scope.App, StringComparison.Ordinal))
        && (Feature is null || string.Equals(Feature, scope.Feature, StringComparison.Ordinal));
}
