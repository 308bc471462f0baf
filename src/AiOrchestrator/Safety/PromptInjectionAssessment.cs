using System.Diagnostics.CodeAnalysis;
using AiOrchestrator.Pipeline;

namespace AiOrchestrator.Safety;

/// <summary>How likely a text is to be a prompt-injection attempt, and why.</summary>
/// <param name="Score">From 0 (clearly benign) to 1 (clearly an attack).</param>
/// <param name="Reasons">Short rule names or explanations, such as <c>instruction-override</c>; never the text itself.</param>
/// <param name="Detector">The detector that made the assessment.</param>
[Experimental(AiCall.ExperimentalDiagnosticId)]
public sealed record PromptInjectionAssessment(double Score, IReadOnlyList<string> Reasons, string Detector)
{
    /// <summary>A benign assessment with no reasons.</summary>
    public static PromptInjectionAssessment None(string detector) => new(0, [], detector);
}
