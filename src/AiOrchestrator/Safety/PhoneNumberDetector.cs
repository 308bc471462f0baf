using PhoneNumbers;

namespace AiOrchestrator.Safety;

/// <summary>
/// Telephone numbers in international (<c>+44 20 7946 0958</c>, <c>0044 ...</c>) and national formats
/// (<c>(415) 555-2671</c>, <c>06-10446904</c>, <c>089 72 63 41</c>), with an optional extension. A candidate is a
/// run of digit groups; shapes that are something else (dates, year ranges, IPv4, SSN, thousands) are dropped, and
/// <c>libphonenumber</c> raises the confidence of numbers valid for their country code or one of the configured regions.
/// Unseparated digit runs count only next to a word such as "phone" or "fax".
/// </summary>
internal sealed class PhoneNumberDetector(IReadOnlyList<string> regions) : ISensitiveDataDetector, IDigitRunDetector
{
    private static readonly PhoneNumberUtil Util = PhoneNumberUtil.GetInstance();

    public string Name => "phone";

    public bool MayContain(ReadOnlySpan<char> text) => text.ContainsAnyInRange('0', '9');

    public void Detect(ReadOnlySpan<char> text, ICollection<SensitiveDataFinding> findings) => Detect(text, DigitRuns.Of(text), findings);

    public void Detect(ReadOnlySpan<char> text, DigitRuns runs, ICollection<SensitiveDataFinding> findings)
    {
        foreach (var run in runs.Runs)
        {
            var (runStart, runEnd) = (run.Start, run.End);
            if (run.Digits < 6)
            {
                continue;
            }

            // The pattern (see NumberPatterns.Phone) runs over this run only (plus a little after it, for its look-ahead and an extension).
            var window = text[..Math.Min(text.Length, runEnd + 16)];
            // Like a regex scan, a match (even one validation rejects) is not searched again from inside.
            var skipUntil = 0;
            foreach (var at in runs.TokenStarts(run))
            {
                if (at < skipUntil || !DigitGates.HasDigits(text[at..runEnd], 6))
                {
                    continue;
                }

                var matched = NumberPatterns.Phone(window, at);
                if (matched < 0)
                {
                    continue;
                }

                var m = (Index: at, Length: matched);
                skipUntil = m.Index + m.Length;
                var confidence = Score(text, m.Index, m.Length);
                if (confidence > 0)
                {
                    findings.Add(new SensitiveDataFinding(m.Index, m.Length, SensitiveDataType.Phone, confidence, Name));
                }
            }
        }
    }

    private double Score(ReadOnlySpan<char> text, int start, int length)
    {
        var value = text.Slice(start, length);
        var extension = value.IndexOfAny('x', 'e');
        var number = extension >= 0 ? value[..extension].TrimEnd() : value;
        // "00" is the international prefix only when a valid number follows it ("00 2326 Parkdale Avenue" is an address).
        var international = number[0] == '+' || (number.StartsWith("00", StringComparison.Ordinal) && IsValid(number, international: true));
        var parens = number.Contains('(');
        Span<int> groups = stackalloc int[10];
        var groupCount = 0;
        var digits = 0;
        var separators = 0;
        var separator = '\0';
        var current = 0;
        foreach (var c in number)
        {
            if (c is >= '0' and <= '9')
            {
                current++;
                digits++;
                continue;
            }

            if (current > 0 && groupCount < groups.Length)
            {
                groups[groupCount++] = current;
            }

            current = 0;
            if (c is ' ' or '-' or '.')
            {
                separators++;
                separator = separator == '\0' || separator == c ? c : '*';
            }
        }

        if (current > 0 && groupCount < groups.Length)
        {
            groups[groupCount++] = current;
        }

        if (digits is < 6 or > 15)
        {
            return 0;
        }

        // Cheapest tests first: shape, then the words around, then libphonenumber for international numbers only.
        var plain = separators == 0 && !parens && !international;
        bool? context = null;
        if (plain && !(context ??= Context.HasWordNearby(text, start, length, Context.PhoneWords)))
        {
            return 0;
        }

        if (!international && !parens && extension < 0)
        {
            var shape = LooksLikeSomethingElse(number, groups[..groupCount], separator);
            if (shape == Shape.Other || (shape == Shape.Thousands && !(context ??= Context.HasWordNearby(text, start, length, Context.PhoneWords))))
            {
                return 0;
            }
        }

        if (digits == 6 && !international && !(context ??= Context.HasWordNearby(text, start, length, Context.PhoneWords)))
        {
            return 0;
        }

        if (!international && Context.IsPartOfAddress(text, start, length))
        {
            return 0;
        }

        var confidence = international || parens || extension >= 0 ? 0.8 : plain ? 0.6 : 0.65;
        if (context ??= Context.HasWordNearby(text, start, length, Context.PhoneWords))
        {
            confidence += 0.15;
        }

        if (international)
        {
            // A country code says which rules apply, so libphonenumber can check the number; a national number's
            // region is a guess, so its shape and the words around it decide.
            // Full validation costs about 2 µs a number; a known country code (libphonenumber's metadata) is checked
            // instead, which is cheap. "00" numbers were fully validated above.
            confidence = number[0] == '+' ? (HasKnownCountryCode(number) ? confidence + 0.1 : confidence - 0.1) : confidence + 0.15;
        }
        else if (context == false && IsValid(number, international: false))
        {
            confidence += 0.15; // valid in one of the configured regions
        }

        return Math.Min(confidence, 0.95);
    }

    /// <summary>Dates, year ranges, dotted quads, SSN-shaped and thousands-grouped numbers.</summary>
    private static Shape LooksLikeSomethingElse(ReadOnlySpan<char> number, ReadOnlySpan<int> groups, char separator)
    {
        if (groups.Length >= 3 && number.Length > groups[0] + groups[1] + 1 && IsDateShape(groups) && number[groups[0]] is '-' or '.' or '/' && number[groups[0]] == number[groups[0] + 1 + groups[1]])
        {
            return Shape.Other; // 2024-05-01, 01.05.2024, 2024-05-01 14 (a date and an hour)
        }

        if (groups.Length == 2 && groups[0] == 4 && groups[1] == 4 && number[0] is '1' or '2' && number[5] is '1' or '2')
        {
            return Shape.Other; // 1990-2000
        }

        if (groups.Length == 4 && separator == '.' && groups[0] <= 3 && groups[1] <= 3 && groups[2] <= 3 && groups[3] <= 3)
        {
            return Shape.Other; // an IPv4 address
        }

        if (groups.Length >= 3 && groups[0] == 4 && groups[1] == 4 && groups[2] == 4)
        {
            return Shape.Other; // 1234 5678 9012 ...: grouped like a card or account number
        }

        if (groups.Length == 3 && separator == '-' && groups[0] == 3 && groups[1] == 2 && groups[2] == 4)
        {
            return Shape.Other; // a US SSN's shape
        }

        if (separator is ' ' or '.' && groups.Length >= 2 && groups[0] <= 3)
        {
            var thousands = true;
            foreach (var g in groups[1..])
            {
                thousands &= g == 3;
            }

            return thousands ? Shape.Thousands : Shape.Phone; // 1 000 000, 12.500.000 (unless a phone word is near)
        }

        return Shape.Phone;
    }

    /// <summary>Whether the digits after '+' start with a country calling code libphonenumber knows (codes are prefix-free).</summary>
    private static bool HasKnownCountryCode(ReadOnlySpan<char> number)
    {
        var code = 0;
        var taken = 0;
        for (var i = 1; i < number.Length && taken < 3; i++)
        {
            if (!char.IsAsciiDigit(number[i]))
            {
                if (taken > 0)
                {
                    break;
                }

                continue;
            }

            code = (code * 10) + (number[i] - '0');
            taken++;
            if (Util.GetRegionCodeForCountryCode(code) != "ZZ")
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsDateShape(ReadOnlySpan<int> groups)
        => (groups[0] == 4 && groups[1] == 2 && groups[2] == 2) || (groups[0] <= 2 && groups[1] <= 2 && groups[2] == 4);

    private bool IsValid(ReadOnlySpan<char> number, bool international)
    {
        var s = number.ToString();
        try
        {
            if (international)
            {
                var parsed = Util.Parse(s.StartsWith("00", StringComparison.Ordinal) ? "+" + s[2..] : s, "ZZ");
                return Util.IsValidNumber(parsed);
            }

            foreach (var region in regions)
            {
                if (Util.IsValidNumber(Util.Parse(s, region)))
                {
                    return true;
                }
            }
        }
        catch (NumberParseException)
        {
            // Not a number libphonenumber can read: the shape alone decides.
        }

        return false;
    }

    private enum Shape
    {
        Phone,
        Thousands,
        Other,
    }
}
