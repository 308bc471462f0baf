using System.Buffers;

namespace AiOrchestrator.Safety;

/// <summary>
/// The configured deny-list: literal terms (such as a project's code name) always reported, ignoring case, as whole
/// words when they begin or end with a letter or digit.
/// </summary>
internal sealed class DenyListDetector : ISensitiveDataDetector
{
    private readonly SearchValues<string> _terms;
    private readonly string[] _list;

    public DenyListDetector(IEnumerable<string> terms)
    {
        _list = terms.Where(t => !string.IsNullOrWhiteSpace(t)).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        _terms = SearchValues.Create(_list, StringComparison.OrdinalIgnoreCase);
    }

    public string Name => "deny-list";

    public bool MayContain(ReadOnlySpan<char> text) => _list.Length > 0 && text.ContainsAny(_terms);

    public void Detect(ReadOnlySpan<char> text, ICollection<SensitiveDataFinding> findings)
    {
        var offset = 0;
        while (offset < text.Length)
        {
            var rest = text[offset..];
            var at = rest.IndexOfAny(_terms);
            if (at < 0)
            {
                return;
            }

            var start = offset + at;
            var length = LongestTermAt(text[start..]);
            var before = start > 0 ? text[start - 1] : ' ';
            var after = start + length < text.Length ? text[start + length] : ' ';
            var term = text.Slice(start, length);
            var wholeWord = (!char.IsLetterOrDigit(term[0]) || !char.IsLetterOrDigit(before)) && (!char.IsLetterOrDigit(term[^1]) || !char.IsLetterOrDigit(after));
            if (wholeWord)
            {
                findings.Add(new SensitiveDataFinding(start, length, SensitiveDataType.DeniedTerm, 1.0, Name));
                offset = start + length;
            }
            else
            {
                offset = start + 1;
            }
        }
    }

    private int LongestTermAt(ReadOnlySpan<char> text)
    {
        var longest = 0;
        foreach (var term in _list)
        {
            if (term.Length > longest && text.StartsWith(term, StringComparison.OrdinalIgnoreCase))
            {
                longest = term.Length;
            }
        }

        return longest;
    }
}
