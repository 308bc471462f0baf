using System.Buffers;
using System.Text.RegularExpressions;

namespace AiOrchestrator.Safety;

/// <summary>
/// Passwords in connection strings (<c>Password=...;</c>, <c>Pwd=...</c>, quoted or not) and in URLs
/// (<c>postgres://user:secret@host</c>). Only the password is reported, so a redacted connection string keeps its
/// server and database names.
/// </summary>
internal sealed partial class PasswordDetector : ISensitiveDataDetector
{
    private static readonly SearchValues<string> Triggers = SearchValues.Create(["password", "pwd", "passwd", "://"], StringComparison.OrdinalIgnoreCase);
    private static readonly SearchValues<string> Keys = SearchValues.Create(["password", "pwd", "passwd"], StringComparison.OrdinalIgnoreCase);

    public string Name => "password";

    public bool MayContain(ReadOnlySpan<char> text) => text.ContainsAny(Triggers);

    public void Detect(ReadOnlySpan<char> text, ICollection<SensitiveDataFinding> findings)
    {
        KeyValues(text, findings); // its first search returns at once when no key is in the text

        // Only from each "://" backwards to its scheme, so that the engine does not try every letter as a start.
        var from = 0;
        while (from < text.Length)
        {
            var sep = text[from..].IndexOf("://", StringComparison.Ordinal);
            if (sep < 0)
            {
                return;
            }

            sep += from;
            from = sep + 3;
            var schemeStart = sep;
            while (schemeStart > 0 && sep - schemeStart < 31 && (char.IsAsciiLetterOrDigit(text[schemeStart - 1]) || text[schemeStart - 1] is '+' or '.' or '-'))
            {
                schemeStart--;
            }

            var candidate = UrlCredentials().EnumerateMatches(text[schemeStart..]);
            if (!candidate.MoveNext() || candidate.Current.Index != 0)
            {
                continue;
            }

            var m = (Index: schemeStart, candidate.Current.Length);
            var value = text.Slice(m.Index, m.Length);
            var userStart = value.IndexOf("://", StringComparison.Ordinal) + 3;
            var colon = userStart + value[userStart..].IndexOf(':');
            findings.Add(new SensitiveDataFinding(m.Index + colon + 1, value.Length - colon - 2, SensitiveDataType.Password, 0.9, Name));
        }
    }

    private void KeyValues(ReadOnlySpan<char> text, ICollection<SensitiveDataFinding> findings)
    {
        // Only from each key found by the vectorised search (the keys hold no letter with an exotic case form, so
        // an ordinal case-insensitive search finds what the case-insensitive pattern would).
        var from = 0;
        while (from < text.Length)
        {
            var key = text[from..].IndexOfAny(Keys);
            if (key < 0)
            {
                return;
            }

            key += from;
            var matched = KeyValue(text, key);
            if (matched < 0)
            {
                from = key + 1;
                continue;
            }

            from = key + matched;
            var m = (Index: key, Length: matched);
            var value = text.Slice(m.Index, m.Length);
            var equals = value.IndexOf('=');
            var start = equals + 1;
            while (start < value.Length && value[start] is ' ' or '\t')
            {
                start++;
            }

            var length = value.Length - start;
            if (length > 1 && value[start] is '"' or '\'' && value[^1] == value[start])
            {
                start++;
                length -= 2;
            }

            if (length > 0)
            {
                findings.Add(new SensitiveDataFinding(m.Index + start, length, SensitiveDataType.Password, 0.9, Name));
            }
        }
    }

    /// <summary>
    /// The length of the match of <c>\G(?&lt;![\w])(?i:password|passwd|pwd)[ \t]{0,3}=[ \t]{0,3}(?:"[^"\r\n]{1,256}"|'[^'\r\n]{1,256}'|[^;\s'"]{1,256})</c>
    /// at <paramref name="at"/>, or -1. Nothing in it gains by giving back a character, so it is read straight through.
    /// </summary>
    internal static int KeyValue(ReadOnlySpan<char> text, int at)
    {
        if (at > 0 && NumberPatterns.IsWordChar(text[at - 1]))
        {
            return -1;
        }

        var rest = text[at..];
        var p = rest.StartsWith("password", StringComparison.OrdinalIgnoreCase) ? 8
            : rest.StartsWith("passwd", StringComparison.OrdinalIgnoreCase) ? 6
            : rest.StartsWith("pwd", StringComparison.OrdinalIgnoreCase) ? 3
            : -1;
        if (p < 0)
        {
            return -1;
        }

        p = SkipBlanks(rest, p);
        if (p >= rest.Length || rest[p] != '=')
        {
            return -1;
        }

        p = SkipBlanks(rest, p + 1);
        if (p >= rest.Length)
        {
            return -1;
        }

        var quote = rest[p];
        var n = 0;
        if (quote is '"' or '\'')
        {
            while (n <= 256 && p + 1 + n < rest.Length && rest[p + 1 + n] != quote && rest[p + 1 + n] is not ('\r' or '\n'))
            {
                n++;
            }

            return n is >= 1 and <= 256 && p + 1 + n < rest.Length && rest[p + 1 + n] == quote ? p + n + 2 : -1;
        }

        while (n < 256 && p + n < rest.Length && rest[p + n] is not (';' or '\'' or '"') && !char.IsWhiteSpace(rest[p + n]))
        {
            n++;
        }

        return n >= 1 ? p + n : -1;

        static int SkipBlanks(ReadOnlySpan<char> s, int p)
        {
            for (var i = 0; i < 3 && p < s.Length && s[p] is ' ' or '\t'; i++)
            {
                p++;
            }

            return p;
        }
    }

    // scheme://user:password@ — the match ends with '@'; the password is between the last ':' and it.
    [GeneratedRegex(@"\A[A-Za-z][A-Za-z0-9+.\-]{1,30}://[^\s:/@]{1,128}:[^\s/@]{1,256}@", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex UrlCredentials();
}
