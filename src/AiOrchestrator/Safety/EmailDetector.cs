using System.Text.RegularExpressions;

namespace AiOrchestrator.Safety;

/// <summary>E-mail addresses: a local part, '@', and a dotted domain with an alphabetic top-level label.</summary>
internal sealed partial class EmailDetector : ISensitiveDataDetector
{
    public string Name => "email";

    public bool MayContain(ReadOnlySpan<char> text) => text.Contains('@');

    public void Detect(ReadOnlySpan<char> text, ICollection<SensitiveDataFinding> findings)
    {
        foreach (var m in Pattern().EnumerateMatches(text))
        {
            var value = text.Slice(m.Index, m.Length);
            var at = value.IndexOf('@');
            var local = value[..at];
            // A local part cannot start or end with a dot or hold two in a row (RFC 5322 dot-atom).
            if (local[0] == '.' || local[^1] == '.' || local.Contains("..", StringComparison.Ordinal) || value[(at + 1)..].Contains("..", StringComparison.Ordinal))
            {
                continue;
            }

            if (IsUrlCredentials(text, m.Index))
            {
                continue; // postgres://user:secret@host is a password in a URL, not an address
            }

            findings.Add(new SensitiveDataFinding(m.Index, m.Length, SensitiveDataType.Email, 0.95, Name));
        }
    }

    private static bool IsUrlCredentials(ReadOnlySpan<char> text, int start)
    {
        if (start == 0 || text[start - 1] != ':')
        {
            return false;
        }

        var token = text[Math.Max(0, start - 300)..start];
        var space = token.LastIndexOfAny(' ', '\n', '\t');
        return token[(space + 1)..].Contains("://", StringComparison.Ordinal);
    }

    // Bounded repetitions only, so a long run of word characters without '@' cannot make the engine backtrack far.
    [GeneratedRegex(@"(?<![\w.%+\-])[\w.%+\-]{1,64}@(?:[\w\-]{1,63}\.){1,8}[A-Za-z]{2,24}(?![\w\-])", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Pattern();
}
