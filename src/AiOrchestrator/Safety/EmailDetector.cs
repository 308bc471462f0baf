namespace AiOrchestrator.Safety;

/// <summary>
/// E-mail addresses: a local part (letters, digits and <c>. _ % + -</c>, up to 64), '@', and a domain of dotted
/// labels ending in an alphabetic top-level label. Found from each '@' outwards by hand, which is linear and cheap:
/// a regular expression would try every word character as a possible start.
/// </summary>
internal sealed class EmailDetector : ISensitiveDataDetector
{
    public string Name => "email";

    public bool MayContain(ReadOnlySpan<char> text) => text.Contains('@');

    public void Detect(ReadOnlySpan<char> text, ICollection<SensitiveDataFinding> findings)
    {
        var searchFrom = 0;
        while (searchFrom < text.Length)
        {
            var at = text[searchFrom..].IndexOf('@');
            if (at < 0)
            {
                return;
            }

            at += searchFrom;
            searchFrom = at + 1;
            var start = at;
            while (start > 0 && at - start < 64 && IsLocal(text[start - 1]))
            {
                start--;
            }

            if (start == at || (start > 0 && IsLocal(text[start - 1])))
            {
                continue; // empty, or longer than 64
            }

            var end = at + 1;
            while (end < text.Length && end - at <= 255 && (char.IsLetterOrDigit(text[end]) || text[end] is '-' or '.' or '_'))
            {
                end++;
            }

            // A sentence's full stop after the address is not part of it.
            while (end > at + 1 && text[end - 1] is '.' or '-')
            {
                end--;
            }

            var local = text[start..at];
            var domain = text[(at + 1)..end];
            if (!ValidLocal(local) || !ValidDomain(domain) || IsUrlCredentials(text, start))
            {
                continue;
            }

            findings.Add(new SensitiveDataFinding(start, end - start, SensitiveDataType.Email, 0.95, Name));
            searchFrom = end;
        }
    }

    private static bool IsLocal(char c) => char.IsLetterOrDigit(c) || c is '.' or '_' or '%' or '+' or '-';

    // A local part cannot start or end with a dot or hold two in a row (RFC 5322 dot-atom).
    private static bool ValidLocal(ReadOnlySpan<char> local)
        => local[0] != '.' && local[^1] != '.' && !local.Contains("..", StringComparison.Ordinal);

    private static bool ValidDomain(ReadOnlySpan<char> domain)
    {
        var lastDot = domain.LastIndexOf('.');
        if (lastDot <= 0 || domain.Contains("..", StringComparison.Ordinal) || domain[0] is '.' or '-')
        {
            return false;
        }

        var tld = domain[(lastDot + 1)..];
        if (tld.Length is < 2 or > 24)
        {
            return false;
        }

        foreach (var c in tld)
        {
            if (!char.IsAsciiLetter(c))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsUrlCredentials(ReadOnlySpan<char> text, int start)
    {
        if (start == 0 || text[start - 1] != ':')
        {
            return false; // postgres://user:secret@host is a password in a URL, not an address
        }

        var token = text[Math.Max(0, start - 300)..start];
        var space = token.LastIndexOfAny(' ', '\n', '\t');
        return token[(space + 1)..].Contains("://", StringComparison.Ordinal);
    }
}
