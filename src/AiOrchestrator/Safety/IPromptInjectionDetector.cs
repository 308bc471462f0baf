using System.Diagnostics.CodeAnalysis;
using AiOrchestrator.Pipeline;

namespace AiOrchestrator.Safety;

/// <summary>
/// Judges whether a text tries to override the application's instructions. The built-in
/// <see cref="HeuristicPromptInjectionDetector"/> is fast and local; <see cref="ChatClientPromptInjectionDetector"/>
/// asks a model; register your own (for example a hosted classifier) in DI. The highest score of all registered
/// detectors counts.
/// </summary>
[Experimental(AiCall.ExperimentalDiagnosticId)]
public interface IPromptInjectionDetector
{
    /// <summary>Assesses <paramref name="text"/>, which came from <paramref name="kind"/> (a user message, a tool result, a document).</summary>
    ValueTask<PromptInjectionAssessment> AssessAsync(string text, SafetyTextKind kind, CancellationToken cancellationToken = default);
}
