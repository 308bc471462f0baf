namespace AiOrchestrator.Safety;

/// <summary>The check-digit rules that separate real identifiers from look-alike digit runs.</summary>
internal static class Checksums
{
    /// <summary>The Luhn (mod 10) check over the digits of <paramref name="digits"/> (other characters are skipped).</summary>
    public static bool Luhn(ReadOnlySpan<char> digits)
    {
        var sum = 0;
        var count = 0;
        for (var i = digits.Length - 1; i >= 0; i--)
        {
            var c = digits[i];
            if (c is < '0' or > '9')
            {
                continue;
            }

            var d = c - '0';
            if ((count & 1) == 1)
            {
                d *= 2;
                if (d > 9)
                {
                    d -= 9;
                }
            }

            sum += d;
            count++;
        }

        return count > 0 && sum % 10 == 0;
    }

    /// <summary>
    /// The IBAN check (ISO 13616): the first four characters moved to the end, letters as 10..35, the number mod 97
    /// must be 1. <paramref name="iban"/> holds only letters and digits.
    /// </summary>
    public static bool IbanMod97(ReadOnlySpan<char> iban)
    {
        if (iban.Length < 5)
        {
            return false;
        }

        // The remainder is reduced only when it passes 10^15 (not once a character), which keeps it far from overflowing.
        long remainder = 0;
        return Feed(iban[4..], ref remainder) && Feed(iban[..4], ref remainder) && remainder % 97 == 1;

        static bool Feed(ReadOnlySpan<char> part, ref long remainder)
        {
            foreach (var ch in part)
            {
                var c = ch;
                if (c is >= '0' and <= '9')
                {
                    remainder = (remainder * 10) + (c - '0');
                }
                else
                {
                    c = char.ToUpperInvariant(c);
                    if (c is < 'A' or > 'Z')
                    {
                        return false;
                    }

                    remainder = (remainder * 100) + (c - 'A' + 10);
                }

                if (remainder >= 1_000_000_000_000_000) // 10^15
                {
                    remainder %= 97;
                }
            }

            return true;
        }
    }

    /// <summary>Counts the ASCII digits in <paramref name="text"/>.</summary>
    public static int CountDigits(ReadOnlySpan<char> text)
    {
        var n = 0;
        foreach (var c in text)
        {
            if (c is >= '0' and <= '9')
            {
                n++;
            }
        }

        return n;
    }
}
