using System.Globalization;

namespace AiOrchestrator.Safety;

/// <summary>
/// Hand-written matchers for the numeric detectors' patterns, anchored at one position: each returns the length of
/// the match the documented regular expression would find there (<c>\G</c>-anchored, with .NET's backtracking order),
/// or -1. They are exact, not approximations: <c>\d</c> is any Unicode decimal digit, <c>\w</c> is a letter, a
/// non-spacing mark, a decimal digit or a connector, and the end of the span given ends the input (the
/// detectors pass the same window they used to give the regex). A regex call costs about 100 ns; these cost a few.
/// </summary>
internal static class NumberPatterns
{
    /// <summary>
    /// <c>\G(?&lt;![\w\-.])\d(?:[ \-]?\d){11,18}(?![\w]|[\-.]\d)</c>: 12 to 19 digits with single spaces or dashes
    /// between them (a payment card candidate). The loop is greedy and gives back one digit at a time until the
    /// look-ahead passes.
    /// </summary>
    public static int Card(ReadOnlySpan<char> text, int at)
    {
        if (at >= text.Length || !char.IsDigit(text[at]) || (at > 0 && (IsWordChar(text[at - 1]) || text[at - 1] is '-' or '.')))
        {
            return -1;
        }

        Span<int> ends = stackalloc int[19];
        var p = at + 1;
        var iterations = 0;
        while (iterations < 18)
        {
            if (p < text.Length && char.IsDigit(text[p]))
            {
                p++;
            }
            else if (p + 1 < text.Length && text[p] is ' ' or '-' && char.IsDigit(text[p + 1]))
            {
                p += 2;
            }
            else
            {
                break;
            }

            ends[++iterations] = p;
        }

        for (var i = iterations; i >= 11; i--)
        {
            if (!DigitOrDashDigitFollows(text, ends[i]))
            {
                return ends[i] - at;
            }
        }

        return -1;
    }

    /// <summary>
    /// <c>\G(?&lt;![\w\-.])\d{3}([\- ]?)\d{2}\1\d{4}(?![\w]|[\-.]\d)</c>: a US SSN's shape, AAA-GG-SSSS, AAA GG SSSS
    /// or nine digits (the same separator twice, or none).
    /// </summary>
    public static int Ssn(ReadOnlySpan<char> text, int at)
    {
        if (at > 0 && (IsWordChar(text[at - 1]) || text[at - 1] is '-' or '.'))
        {
            return -1;
        }

        if (!IsDigitAt(text, at) || !IsDigitAt(text, at + 1) || !IsDigitAt(text, at + 2))
        {
            return -1;
        }

        var p = at + 3;
        var separator = p < text.Length && text[p] is '-' or ' ' ? text[p] : '\0';
        if (separator != '\0')
        {
            p++; // without it, \d{2} would have to match the separator: the group is either taken or the match fails
        }

        if (!IsDigitAt(text, p) || !IsDigitAt(text, p + 1))
        {
            return -1;
        }

        p += 2;
        if (separator != '\0')
        {
            if (p >= text.Length || text[p] != separator)
            {
                return -1;
            }

            p++;
        }

        for (var i = 0; i < 4; i++, p++)
        {
            if (!IsDigitAt(text, p))
            {
                return -1;
            }
        }

        return DigitOrDashDigitFollows(text, p) ? -1 : p - at;
    }

    /// <summary>
    /// <c>\G(?&lt;![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w]|\.\d)</c>: four dotted groups of one to three digits. Giving
    /// back a digit never helps (a digit is neither a dot nor allowed after the match), so there is no backtracking.
    /// </summary>
    public static int DottedQuad(ReadOnlySpan<char> text, int at)
    {
        if (at > 0 && (IsWordChar(text[at - 1]) || text[at - 1] == '.'))
        {
            return -1;
        }

        var p = at;
        for (var group = 0; group < 4; group++)
        {
            var n = CountDigits(text, p, 3);
            if (n == 0)
            {
                return -1;
            }

            p += n;
            if (group < 3)
            {
                if (p >= text.Length || text[p] != '.')
                {
                    return -1;
                }

                p++;
            }
        }

        return p < text.Length && (IsWordChar(text[p]) || (text[p] == '.' && IsDigitAt(text, p + 1))) ? -1 : p - at;
    }

    /// <summary>
    /// <c>\G(?&lt;![\w+\-.(/])(?:\+\d{1,3}[ .\-]?)?(?:\(\d{1,5}\)[ .\-]?)?\d{1,12}(?:[ .\-]\d{1,12}){0,6}(?:[ ]?(?:x|ext\.?)[ ]?\d{1,6})?(?![\w]|[\-./:]\d)</c>:
    /// digit groups with an optional +country code, (area code) and extension. Searched depth first in the regex's
    /// order (greedy choices first), so the first end found is the one the regex reports.
    /// </summary>
    public static int Phone(ReadOnlySpan<char> text, int at)
    {
        if (at > 0 && (IsWordChar(text[at - 1]) || text[at - 1] is '+' or '-' or '.' or '(' or '/'))
        {
            return -1;
        }

        if (at < text.Length && text[at] == '+')
        {
            for (var k = CountDigits(text, at + 1, 3); k >= 1; k--)
            {
                var p = at + 1 + k;
                if (p < text.Length && IsPhoneSeparator(text[p]))
                {
                    var withSeparator = PhoneAfterCountryCode(text, p + 1);
                    if (withSeparator >= 0)
                    {
                        return withSeparator - at;
                    }
                }

                var end = PhoneAfterCountryCode(text, p);
                if (end >= 0)
                {
                    return end - at;
                }
            }
        }

        var plain = PhoneAfterCountryCode(text, at);
        return plain >= 0 ? plain - at : -1;
    }

    /// <summary>
    /// <c>\G[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]){11,30}(?![A-Za-z0-9])</c>: an IBAN candidate, compact or with single
    /// spaces. The loop gives back one character at a time until no letter or digit follows.
    /// </summary>
    public static int Iban(ReadOnlySpan<char> text, int at)
    {
        if (at + 4 > text.Length || !char.IsAsciiLetter(text[at]) || !char.IsAsciiLetter(text[at + 1]) || !char.IsDigit(text[at + 2]) || !char.IsDigit(text[at + 3]))
        {
            return -1;
        }

        Span<int> ends = stackalloc int[31];
        var p = at + 4;
        var iterations = 0;
        while (iterations < 30)
        {
            if (p < text.Length && char.IsAsciiLetterOrDigit(text[p]))
            {
                p++;
            }
            else if (p + 1 < text.Length && text[p] == ' ' && char.IsAsciiLetterOrDigit(text[p + 1]))
            {
                p += 2;
            }
            else
            {
                break;
            }

            ends[++iterations] = p;
        }

        for (var i = iterations; i >= 11; i--)
        {
            if (ends[i] >= text.Length || !char.IsAsciiLetterOrDigit(text[ends[i]]))
            {
                return ends[i] - at;
            }
        }

        return -1;
    }

    /// <summary>Whether <paramref name="c"/> is in .NET's <c>\w</c>: a letter, a non-spacing mark, a decimal digit or a connector ('_').</summary>
    public static bool IsWordChar(char c)
    {
        if (char.IsAscii(c))
        {
            return char.IsAsciiLetterOrDigit(c) || c == '_';
        }

        return char.GetUnicodeCategory(c) is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
            or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter or UnicodeCategory.NonSpacingMark
            or UnicodeCategory.DecimalDigitNumber or UnicodeCategory.ConnectorPunctuation;
    }

    // (?:\(\d{1,5}\)[ .\-]?)? then the number.
    private static int PhoneAfterCountryCode(ReadOnlySpan<char> text, int p)
    {
        if (p < text.Length && text[p] == '(')
        {
            for (var k = CountDigits(text, p + 1, 5); k >= 1; k--)
            {
                var q = p + 1 + k;
                if (q >= text.Length || text[q] != ')')
                {
                    continue;
                }

                q++;
                if (q < text.Length && IsPhoneSeparator(text[q]))
                {
                    var withSeparator = PhoneNumber(text, q + 1);
                    if (withSeparator >= 0)
                    {
                        return withSeparator;
                    }
                }

                var end = PhoneNumber(text, q);
                if (end >= 0)
                {
                    return end;
                }
            }
        }

        return PhoneNumber(text, p);
    }

    // \d{1,12} then the groups.
    private static int PhoneNumber(ReadOnlySpan<char> text, int p)
    {
        for (var k = CountDigits(text, p, 12); k >= 1; k--)
        {
            var end = PhoneGroups(text, p + k, 0);
            if (end >= 0)
            {
                return end;
            }
        }

        return -1;
    }

    // (?:[ .\-]\d{1,12}){0,6} (greedy), then the optional extension and the look-ahead.
    private static int PhoneGroups(ReadOnlySpan<char> text, int p, int iteration)
    {
        if (iteration < 6 && p < text.Length && IsPhoneSeparator(text[p]))
        {
            for (var k = CountDigits(text, p + 1, 12); k >= 1; k--)
            {
                var end = PhoneGroups(text, p + 1 + k, iteration + 1);
                if (end >= 0)
                {
                    return end;
                }
            }
        }

        var extension = PhoneExtension(text, p);
        if (extension >= 0)
        {
            return extension;
        }

        return PhoneMayEnd(text, p) ? p : -1;
    }

    // [ ]?(?:x|ext\.?)[ ]?\d{1,6} and the look-ahead; -1 when it does not match.
    private static int PhoneExtension(ReadOnlySpan<char> text, int p)
    {
        for (var space = p < text.Length && text[p] == ' ' ? 1 : 0; space >= 0; space--)
        {
            var q = p + space;
            if (q < text.Length && text[q] == 'x')
            {
                var end = PhoneExtensionDigits(text, q + 1);
                if (end >= 0)
                {
                    return end;
                }
            }
            else if (q + 2 < text.Length && text[q] == 'e' && text[q + 1] == 'x' && text[q + 2] == 't')
            {
                if (q + 3 < text.Length && text[q + 3] == '.')
                {
                    var withDot = PhoneExtensionDigits(text, q + 4);
                    if (withDot >= 0)
                    {
                        return withDot;
                    }
                }

                var end = PhoneExtensionDigits(text, q + 3);
                if (end >= 0)
                {
                    return end;
                }
            }
        }

        return -1;
    }

    // [ ]?\d{1,6} and the look-ahead.
    private static int PhoneExtensionDigits(ReadOnlySpan<char> text, int q)
    {
        for (var space = q < text.Length && text[q] == ' ' ? 1 : 0; space >= 0; space--)
        {
            var t = q + space;
            for (var k = CountDigits(text, t, 6); k >= 1; k--)
            {
                if (PhoneMayEnd(text, t + k))
                {
                    return t + k;
                }
            }
        }

        return -1;
    }

    // (?![\w]|[\-./:]\d)
    private static bool PhoneMayEnd(ReadOnlySpan<char> text, int p)
        => p >= text.Length || !(IsWordChar(text[p]) || (text[p] is '-' or '.' or '/' or ':' && IsDigitAt(text, p + 1)));

    // (?![\w]|[\-.]\d) fails: a word character, or a dash or dot and a digit, follows.
    private static bool DigitOrDashDigitFollows(ReadOnlySpan<char> text, int p)
        => p < text.Length && (IsWordChar(text[p]) || (text[p] is '-' or '.' && IsDigitAt(text, p + 1)));

    private static bool IsPhoneSeparator(char c) => c is ' ' or '.' or '-';

    private static bool IsDigitAt(ReadOnlySpan<char> text, int p) => p < text.Length && char.IsDigit(text[p]);

    private static int CountDigits(ReadOnlySpan<char> text, int p, int max)
    {
        var n = 0;
        while (n < max && p + n < text.Length && char.IsDigit(text[p + n]))
        {
            n++;
        }

        return n;
    }
}
