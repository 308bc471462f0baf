using System.Diagnostics.CodeAnalysis;
using AiOrchestrator.Pipeline;

namespace AiOrchestrator.Safety;

/// <summary>One text of a call, with where it comes from.</summary>
/// <param name="Text">The text (for tool-call arguments, the JSON text).</param>
/// <param name="Kind">Where it comes from, which decides what is checked.</param>
[Experimental(AiCall.ExperimentalDiagnosticId)]
public readonly record struct SafetyText(string Text, SafetyTextKind Kind);

/// <summary>What <see cref="SafetyGuard.CheckInputAsync"/> lets through: the texts to send, the decision, and the session that restores the answer.</summary>
/// <param name="Texts">The texts to send to the provider, in the order given, with redacted values replaced by placeholders.</param>
/// <param name="Decision">What was found and done.</param>
/// <param name="Session">The call's placeholders: restore the answer with it.</param>
[Experimental(AiCall.ExperimentalDiagnosticId)]
public sealed record SafetyInputResult(IReadOnlyList<string> Texts, SafetyDecision Decision, RedactionSession Session);

/// <summary>What <see cref="SafetyGuard.CheckOutput"/> gives the caller: the answer with placeholders restored and output filters applied.</summary>
/// <param name="Text">The answer for the caller.</param>
/// <param name="Decision">What was found in the answer and done.</param>
[Experimental(AiCall.ExperimentalDiagnosticId)]
public sealed record SafetyOutputResult(string Text, SafetyDecision Decision);
