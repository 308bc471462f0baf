namespace AiOrchestrator.Safety;

/// <summary>
/// Payment card numbers: 12 to 19 digits, optionally grouped with one kind of separator (space or dash), passing the
/// Luhn check, with a known issuer prefix and a length that issuer uses.
/// </summary>
internal sealed class PaymentCardDetector : ISensitiveDataDetector, IDigitRunDetector
{
    public string Name => "payment-card";

    public bool MayContain(ReadOnlySpan<char> text) => text.ContainsAnyInRange('0', '9');

    public void Detect(ReadOnlySpan<char> text, ICollection<SensitiveDataFinding> findings) => Detect(text, DigitRuns.Of(text), findings);

    public void Detect(ReadOnlySpan<char> text, DigitRuns runs, ICollection<SensitiveDataFinding> findings)
    {
        Span<char> digits = stackalloc char[19];
        foreach (var run in runs.Runs)
        {
            var (runStart, runEnd) = (run.Start, run.End);
            if (run.Digits < 12)
            {
                continue;
            }

            // The pattern (see NumberPatterns.Card) runs over this run only (plus a little after it, for its look-ahead and an extension).
            var window = text[..Math.Min(text.Length, runEnd + 16)];
            // A card found is not searched again from inside.
            var skipUntil = 0;
            foreach (var at in runs.TokenStarts(run))
            {
                if (at < skipUntil || !DigitGates.HasDigits(text[at..runEnd], 12))
                {
                    continue;
                }

                var matched = NumberPatterns.Card(window, at);
                if (matched < 0)
                {
                    continue;
                }

                var m = (Index: at, Length: matched);

                // The pattern is greedy: "4111 1111 1111 1111 7" reads as one 17-digit number. When that fails, the
                // shorter numbers that end where a group ends are tried too, longest first.
                var length = m.Length;
                while (length > 0 && !IsCard(text.Slice(m.Index, length), digits))
                {
                    length = text.Slice(m.Index, length).LastIndexOfAny(' ', '-');
                }

                if (length > 0)
                {
                    findings.Add(new SensitiveDataFinding(m.Index, length, SensitiveDataType.CreditCard, 0.95, Name));
                    skipUntil = m.Index + length; // a number that fails is tried again from its next group ("7 4111 ...")
                }
            }
        }
    }

    /// <summary>One kind of separator, 12 to 19 digits, the Luhn check and a known issuer's prefix and length.</summary>
    private static bool IsCard(ReadOnlySpan<char> value, Span<char> digits)
    {
        var n = 0;
        var separator = '\0';
        foreach (var c in value)
        {
            if (c is >= '0' and <= '9')
            {
                if (n == digits.Length)
                {
                    return false;
                }

                digits[n++] = c;
            }
            else if (separator == '\0')
            {
                separator = c;
            }
            else if (separator != c)
            {
                return false;
            }
        }

        return n is >= 12 and <= 19 && Checksums.Luhn(digits[..n]) && IsKnownIssuer(digits[..n]);
    }

    /// <summary>Issuer prefixes (IIN ranges) and the lengths each uses.</summary>
    internal static bool IsKnownIssuer(ReadOnlySpan<char> d)
    {
        var len = d.Length;
        var p2 = Prefix(d, 2);
        var p3 = Prefix(d, 3);
        var p4 = Prefix(d, 4);
        var p6 = Prefix(d, 6);
        return d[0] switch
        {
            '4' => len is 13 or 16 or 19, // Visa
            '5' => (p2 is >= 51 and <= 55 && len == 16) || (p2 is 50 or (>= 56 and <= 59) && len is >= 12 and <= 19), // Mastercard, Maestro
            '2' => (p4 is >= 2221 and <= 2720 && len == 16) || (p4 is >= 2200 and <= 2204 && len is >= 16 and <= 19), // Mastercard 2-series, Mir
            '3' => (p2 is 34 or 37 && len == 15) // American Express
                || ((p3 is >= 300 and <= 305 || p2 is 36 or 38 or 39 || p3 == 309) && len is >= 14 and <= 19) // Diners Club
                || (p4 is >= 3528 and <= 3589 && len is >= 16 and <= 19), // JCB
            '6' => ((p4 == 6011 || p3 is >= 644 and <= 649 || p2 == 65 || p6 is >= 622126 and <= 622925) && len is >= 16 and <= 19) // Discover
                || (p2 == 62 && len is >= 16 and <= 19) // UnionPay
                || (p2 is >= 60 and <= 69 && len is >= 12 and <= 19), // Maestro and others
            '1' => len == 15 && d[1] != '0', // UATP
            _ => false,
        };

        static int Prefix(ReadOnlySpan<char> d, int n)
        {
            var v = 0;
            for (var i = 0; i < n && i < d.Length; i++)
            {
                v = (v * 10) + (d[i] - '0');
            }

            return v;
        }
    }
}
