using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.RegularExpressions;
using AiOrchestrator.Pipeline;

namespace AiOrchestrator.Safety;

/// <summary>
/// A fast, local prompt-injection detector built from general rules: instruction overrides ("ignore the previous
/// instructions"), system-prompt exfiltration, role-play and jailbreak set-ups, forged role markers and delimiters,
/// output coercion, instructions aimed at the model from inside documents and tool results, and the same hidden
/// by encoding (base64, hex), leetspeak, spaced-out letters or invisible characters. Each rule has a weight; the score
/// is 1 − Π(1 − weight) over the distinct rules that fire, so one strong signal or several weak ones cross the threshold.
/// </summary>
/// <remarks>Precision and recall on public sets are in docs/safety-evaluation.md. Thread-safe.</remarks>
[Experimental(AiCall.ExperimentalDiagnosticId)]
public sealed class HeuristicPromptInjectionDetector : IPromptInjectionDetector
{
    /// <summary>The name reported with assessments.</summary>
    public const string DetectorName = "heuristic";

    private static readonly SearchValues<char> LeetCharacters = SearchValues.Create("0134579@$|!");

    /// <summary>
    /// Added to a non-zero score when the text is a tool result or a document (data should not address the model at
    /// all). Defaults to 0.1.
    /// </summary>
    public double UntrustedContentBoost { get; init; } = 0.1;

    /// <summary>A shared instance.</summary>
    public static HeuristicPromptInjectionDetector Instance { get; } = new();

    /// <inheritdoc/>
    public ValueTask<PromptInjectionAssessment> AssessAsync(string text, SafetyTextKind kind, CancellationToken cancellationToken = default)
        => new(Assess(text, kind));

    /// <summary>Assesses <paramref name="text"/> synchronously (it never waits on anything).</summary>
    public PromptInjectionAssessment Assess(string text, SafetyTextKind kind = SafetyTextKind.User)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0)
        {
            return PromptInjectionAssessment.None(DetectorName);
        }

        var reasons = new List<string>();
        var remaining = 1.0;
        var invisible = false;
        var normalized = text;
        if (TextNormalization.NeedsFolding(text))
        {
            var folded = new char[text.Length];
            var map = new int[text.Length];
            var n = TextNormalization.Fold(text, folded, map);
            invisible = n < text.Length;
            normalized = new string(folded, 0, n);
        }

        remaining = Apply(normalized, reasons, remaining);

        // Obfuscated spellings: assessed again once undone; they count only if they add something.
        if (normalized.AsSpan().ContainsAny(LeetCharacters))
        {
            remaining = ApplyVariant(UndoLeet(normalized), reasons, remaining, "obfuscation");
        }

        var joined = JoinSpacedLetters(normalized);
        if (!ReferenceEquals(joined, normalized))
        {
            remaining = ApplyVariant(joined, reasons, remaining, "obfuscation");
        }

        remaining = ApplyEncoded(normalized, reasons, remaining);

        if (Safe(() => InjectionRules.RoleMarker().IsMatch(normalized)))
        {
            remaining *= 1 - 0.6;
            reasons.Add("fake-role-marker");
        }

        if (invisible && reasons.Count > 0)
        {
            remaining *= 1 - 0.3;
            reasons.Add("invisible-characters");
        }

        var score = 1 - remaining;
        if (score > 0 && kind is SafetyTextKind.ToolResult or SafetyTextKind.Document)
        {
            // Data should not talk to the model at all: the same signal weighs more there.
            score = Math.Min(1, score + UntrustedContentBoost);
            reasons.Add("in-untrusted-content");
        }

        return new PromptInjectionAssessment(Math.Round(score, 4), reasons.Distinct(StringComparer.Ordinal).ToArray(), DetectorName);
    }

    private static double Apply(string text, List<string> reasons, double remaining)
    {
        foreach (var (pattern, weight, reason, keywords) in InjectionRules.All)
        {
            if (text.AsSpan().ContainsAny(keywords) && Safe(() => pattern.IsMatch(text)))
            {
                remaining *= 1 - weight;
                reasons.Add(reason);
            }
        }

        return remaining;
    }

    private static double ApplyVariant(string variant, List<string> reasons, double remaining, string reason)
    {
        var variantReasons = new List<string>();
        var variantRemaining = Apply(variant, variantReasons, 1.0);
        if (variantRemaining < remaining)
        {
            reasons.AddRange(variantReasons);
            reasons.Add(reason);
            return variantRemaining;
        }

        return remaining;
    }

    private static double ApplyEncoded(string text, List<string> reasons, double remaining)
    {
        if (!HasLongToken(text, 24))
        {
            return remaining;
        }

        foreach (var pattern in (ReadOnlySpan<Regex>)[InjectionRules.Base64Run(), InjectionRules.HexRun()])
        {
            MatchCollection? matches = null;
            if (!Safe(() => (matches = pattern.Matches(text)).Count >= 0) || matches is null)
            {
                continue;
            }

            var checkedRuns = 0;
            foreach (Match m in matches)
            {
                if (++checkedRuns > 16)
                {
                    break;
                }

                var decoded = ReferenceEquals(pattern, InjectionRules.Base64Run()) ? DecodeBase64(m.Value) : DecodeHex(m.Value);
                if (decoded is null)
                {
                    continue;
                }

                var inner = new List<string>();
                var innerRemaining = Apply(decoded, inner, 1.0);
                if (inner.Count > 0)
                {
                    reasons.AddRange(inner);
                    reasons.Add("encoded-instructions");
                    return Math.Min(remaining, innerRemaining) * (1 - 0.5);
                }
            }
        }

        return remaining;
    }

    /// <summary>Decoded text when the run is base64 of mostly printable text.</summary>
    private static string? DecodeBase64(string run)
    {
        var bytes = new byte[(run.Length * 3 / 4) + 3];
        return Convert.TryFromBase64String(run.Length % 4 == 0 ? run : run.PadRight(run.Length + ((4 - (run.Length % 4)) % 4), '='), bytes, out var written) ? Printable(bytes.AsSpan(0, written)) : null;
    }

    private static string? DecodeHex(string run)
    {
        var compact = run.Replace(" ", string.Empty, StringComparison.Ordinal);
        try
        {
            return Printable(Convert.FromHexString(compact.Length % 2 == 0 ? compact : compact[..^1]));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static string? Printable(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 12)
        {
            return null;
        }

        var printable = 0;
        var letters = 0;
        foreach (var b in bytes)
        {
            if (b is >= 0x20 and < 0x7F or (byte)'\n' or (byte)'\r' or (byte)'\t')
            {
                printable++;
            }

            if (b is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z'))
            {
                letters++;
            }
        }

        return printable >= bytes.Length * 0.9 && letters >= bytes.Length / 2 ? Encoding.ASCII.GetString(bytes) : null;
    }

    /// <summary>Reads digits and symbols inside words as the letters they stand for (1gn0r3 → ignore).</summary>
    internal static string UndoLeet(string text)
    {
        var chars = text.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            var prevLetter = i > 0 && char.IsLetter(chars[i - 1]);
            var nextLetter = i + 1 < chars.Length && char.IsLetterOrDigit(text[i + 1]);
            if (!prevLetter && !nextLetter)
            {
                continue;
            }

            chars[i] = chars[i] switch
            {
                '0' => 'o',
                '1' or '!' or '|' => 'i',
                '3' => 'e',
                '4' or '@' => 'a',
                '5' or '$' => 's',
                '7' => 't',
                '9' => 'g',
                _ => chars[i],
            };
        }

        return new string(chars);
    }

    /// <summary>Joins letters spelled out one by one ("i g n o r e" → "ignore"); returns the same string when there are none.</summary>
    internal static string JoinSpacedLetters(string text)
    {
        if (!HasSpacedLetters(text))
        {
            return text;
        }

        try
        {
            return InjectionRules.SpacedLetters().IsMatch(text)
                ? InjectionRules.SpacedLetters().Replace(text, static m => string.Concat(m.Value.Where(char.IsLetter)))
                : text;
        }
        catch (RegexMatchTimeoutException)
        {
            return text;
        }
    }

    /// <summary>Whether some run of <paramref name="length"/> characters has no space in it (a cheap test before the encoded-run patterns).</summary>
    private static bool HasLongToken(string text, int length)
    {
        var run = 0;
        foreach (var c in text)
        {
            run = char.IsWhiteSpace(c) ? 0 : run + 1;
            if (run >= length)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether four letters in a row stand alone between single separators ("i g n o").</summary>
    private static bool HasSpacedLetters(string text)
    {
        var singles = 0;
        for (var i = 0; i + 1 < text.Length; i++)
        {
            if (char.IsLetter(text[i]) && text[i + 1] is ' ' or '.' or '-' or '_' && (i == 0 || !char.IsLetter(text[i - 1])))
            {
                if (++singles >= 3)
                {
                    return true;
                }

                i++;
            }
            else if (char.IsLetter(text[i]))
            {
                singles = 0;
            }
        }

        return false;
    }

    private static bool Safe(Func<bool> test)
    {
        try
        {
            return test();
        }
        catch (RegexMatchTimeoutException)
        {
            return false; // a rule too slow for this text says nothing; the others still count
        }
    }
}
