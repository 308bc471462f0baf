using System.Diagnostics.CodeAnalysis;
using AiOrchestrator.Pipeline;

namespace AiOrchestrator.Safety;

/// <summary>
/// One sensitive value found in a text: where it is (<see cref="Start"/>, <see cref="Length"/>, in the text as given),
/// what it is, how sure the detector is, and which detector found it. It never holds the value itself.
/// </summary>
/// <param name="Start">The index of the value's first character.</param>
/// <param name="Length">The value's length in characters.</param>
/// <param name="Type">What the value is.</param>
/// <param name="Confidence">How sure the detector is, from 0 to 1.</param>
/// <param name="Detector">The detector's name.</param>
[Experimental(AiCall.ExperimentalDiagnosticId)]
public readonly record struct SensitiveDataFinding(int Start, int Length, SensitiveDataType Type, double Confidence, string Detector)
{
    /// <summary>The index just after the value.</summary>
    public int End => Start + Length;

    /// <summary>Whether this finding shares at least one character with <paramref name="other"/>.</summary>
    public bool Overlaps(SensitiveDataFinding other) => Start < other.End && other.Start < End;
}
