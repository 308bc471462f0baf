using System.Buffers;

namespace AiOrchestrator.Safety;

/// <summary>
/// What the scanner folds before its detectors run, so that odd Unicode does not hide a value: invisible format
/// characters (zero-width spaces and joiners, the BOM, soft hyphens, bidirectional marks and overrides) are removed;
/// fullwidth ASCII forms (<c>１２３</c>, <c>＠</c>) become ASCII; non-breaking and other Unicode spaces become a space.
/// Homoglyphs (a Cyrillic <c>а</c> for a Latin <c>a</c>) are not folded: a value spelled with them is not the value.
/// Findings are mapped back to the text as given, so a redacted span also covers the invisible characters inside it.
/// </summary>
internal static class TextNormalization
{
    private static readonly SearchValues<char> Odd = SearchValues.Create(
        "\u00A0\u00AD\u180E\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u200B\u200C\u200D\u200E\u200F"
        + "\u202A\u202B\u202C\u202D\u202E\u202F\u205F\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\u3000\uFEFF"
        + string.Concat(Enumerable.Range(0xFF01, 0xFF5E - 0xFF01 + 1).Select(c => (char)c)));

    /// <summary>Whether <paramref name="text"/> holds anything to fold (a vectorised check).</summary>
    public static bool NeedsFolding(ReadOnlySpan<char> text) => text.ContainsAnyExceptInRange('\0', '\u009F') && text.ContainsAny(Odd);

    /// <summary>
    /// Writes the folded text into <paramref name="folded"/> and, for each of its characters, the index of the
    /// original character into <paramref name="map"/>; returns the folded length. Both spans are as long as the text.
    /// </summary>
    public static int Fold(ReadOnlySpan<char> text, Span<char> folded, Span<int> map)
    {
        var n = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (IsInvisible(c))
            {
                continue;
            }

            if (c is >= '\uFF01' and <= '\uFF5E')
            {
                c = (char)(c - 0xFF01 + 0x21);
            }
            else if (c is '\u00A0' or (>= '\u2000' and <= '\u200A') or '\u202F' or '\u205F' or '\u3000')
            {
                c = ' ';
            }

            folded[n] = c;
            map[n] = i;
            n++;
        }

        return n;
    }

    private static bool IsInvisible(char c) => c is '\u00AD' or '\u180E' or (>= '\u200B' and <= '\u200F') or (>= '\u202A' and <= '\u202E')
        or (>= '\u2060' and <= '\u2064') or (>= '\u2066' and <= '\u2069') or '\uFEFF';
}
