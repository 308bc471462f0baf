using System.Diagnostics.CodeAnalysis;
using AiOrchestrator.Pipeline;

namespace AiOrchestrator.Safety;

/// <summary>
/// Finds one kind (or a family) of sensitive values in a text. Register an implementation in DI (or pass it to
/// <see cref="SensitiveDataScanner"/>) to add your own, for example employee ids.
/// </summary>
/// <remarks>
/// Implementations are called concurrently and must be thread-safe. Keep <see cref="MayContain"/> cheap (a vectorised
/// <c>IndexOfAny</c> over a few characters): it runs on every text, and <see cref="Detect"/> only when it says yes.
/// Regular expressions should be source-generated with a match timeout; a <see cref="System.Text.RegularExpressions.RegexMatchTimeoutException"/>
/// is caught by the scanner, which keeps what was found and marks the scan incomplete.
/// </remarks>
[Experimental(AiCall.ExperimentalDiagnosticId)]
public interface ISensitiveDataDetector
{
    /// <summary>The detector's name, reported with each finding (for example <c>email</c>).</summary>
    string Name { get; }

    /// <summary>A cheap test: false when <paramref name="text"/> cannot hold a value this detector reports.</summary>
    bool MayContain(ReadOnlySpan<char> text);

    /// <summary>Adds what it finds in <paramref name="text"/> to <paramref name="findings"/> (overlaps are resolved by the scanner).</summary>
    void Detect(ReadOnlySpan<char> text, ICollection<SensitiveDataFinding> findings);
}
