using System.Diagnostics.CodeAnalysis;
using AiOrchestrator.Pipeline;

namespace AiOrchestrator.Safety;

/// <summary>What the <see cref="SensitiveDataScanner"/> reports and ignores (the <c>AiOrchestrator:Safety:Detection</c> section).</summary>
[Experimental(AiCall.ExperimentalDiagnosticId)]
public sealed class SensitiveDataScannerOptions
{
    /// <summary>Values never reported, compared ignoring case (for example the company's public support address).</summary>
    public IList<string> AllowList { get; } = new List<string>();

    /// <summary>Regular expressions; a value that one matches in full is never reported (for example <c>.*@example\.com</c>).</summary>
    public IList<string> AllowPatterns { get; } = new List<string>();

    /// <summary>Literal terms always reported as <see cref="SensitiveDataType.DeniedTerm"/>, ignoring case (for example a project's code name).</summary>
    public IList<string> DenyList { get; } = new List<string>();

    /// <summary>Findings less certain than this (0 to 1) are dropped. Defaults to 0.5.</summary>
    public double MinimumConfidence { get; set; } = 0.5;

    /// <summary>
    /// Regions (ISO 3166 codes such as <c>US</c>, <c>GB</c>, <c>DE</c>) whose national phone formats raise a number's
    /// confidence when it is valid there. Empty means <c>US</c>. Numbers written with a <c>+</c> country code are
    /// checked against their own country whatever this says.
    /// </summary>
    public IList<string> PhoneRegions { get; } = new List<string>();

    /// <summary>Built-in detectors to turn off, by name: <c>email</c>, <c>phone</c>, <c>payment-card</c>, <c>iban</c>, <c>us-ssn</c>, <c>ip-address</c>, <c>api-key</c>, <c>token</c>, <c>private-key</c>, <c>password</c>.</summary>
    public IList<string> DisabledDetectors { get; } = new List<string>();
}
