using System.Diagnostics.CodeAnalysis;
using AiOrchestrator.Pipeline;

namespace AiOrchestrator.Safety;

/// <summary>
/// The safety policy: what to do with each kind of sensitive value in a call's input and in the model's answer, the
/// prompt-injection threshold, and other settings for some scopes. Bind it from <see cref="SectionName"/>.
/// </summary>
/// <remarks>
/// Defaults: personal data and secrets in the input are redacted (and restored in the answer); secrets in the answer
/// are redacted, personal data in the answer is logged; a likely prompt injection (score ≥ 0.5) is blocked.
/// </remarks>
[Experimental(AiCall.ExperimentalDiagnosticId)]
public sealed class SafetyOptions
{
    /// <summary>The configuration section these options are read from: <c>AiOrchestrator:Safety</c>.</summary>
    public const string SectionName = "AiOrchestrator:Safety";

    /// <summary>The action for personal data in the input. Defaults to <see cref="SafetyAction.Redact"/>.</summary>
    public SafetyAction PersonalData { get; set; } = SafetyAction.Redact;

    /// <summary>The action for secrets in the input. Defaults to <see cref="SafetyAction.Redact"/>.</summary>
    public SafetyAction Secrets { get; set; } = SafetyAction.Redact;

    /// <summary>The action for other types (deny-list terms, custom detectors' types). Defaults to <see cref="SafetyAction.Redact"/>.</summary>
    public SafetyAction OtherTypes { get; set; } = SafetyAction.Redact;

    /// <summary>Actions by type name for the input (such as <c>"IP_ADDRESS": "Log"</c>); they win over the category settings.</summary>
    public IDictionary<string, SafetyAction> Actions { get; } = new Dictionary<string, SafetyAction>(StringComparer.Ordinal);

    /// <summary>The action for personal data in the model's answer (not the values the call redacted: those are restored). Defaults to <see cref="SafetyAction.Log"/>.</summary>
    public SafetyAction OutputPersonalData { get; set; } = SafetyAction.Log;

    /// <summary>The action for secrets in the model's answer. Defaults to <see cref="SafetyAction.Redact"/>.</summary>
    public SafetyAction OutputSecrets { get; set; } = SafetyAction.Redact;

    /// <summary>Actions by type name for the answer; they win over the output category settings.</summary>
    public IDictionary<string, SafetyAction> OutputActions { get; } = new Dictionary<string, SafetyAction>(StringComparer.Ordinal);

    /// <summary>
    /// How many characters of a streamed answer are held back while the output policy redacts or blocks (0 to 4,096;
    /// default 64), so a value split across chunks is found whole before any of it is given out. A word is never
    /// split either (up to 256 more characters), nor a value that was found; a longer value with spaces in it (longer
    /// than this) may be given out in part before it is found.
    /// </summary>
    public int StreamingHoldBack { get; set; } = 64;

    /// <summary>The injection score (0 to 1) at or above which <see cref="InjectionAction"/> applies. Defaults to 0.5.</summary>
    public double InjectionThreshold { get; set; } = 0.5;

    /// <summary>What to do with a likely prompt injection. Defaults to <see cref="SafetyAction.Block"/> (Redact is not an option).</summary>
    public SafetyAction InjectionAction { get; set; } = SafetyAction.Block;

    /// <summary>Type names of custom detectors, so that <see cref="Actions"/> may name them (an unknown name is a configuration error).</summary>
    public IList<string> CustomTypes { get; } = new List<string>();

    /// <summary>What the scanner reports and ignores: allow-list, deny-list, phone regions, minimum confidence.</summary>
    public SensitiveDataScannerOptions Detection { get; set; } = new();

    /// <summary>Other settings for some scopes; the first matching rule applies.</summary>
    public IList<SafetyScopeRule> ScopeRules { get; } = new List<SafetyScopeRule>();
}
