namespace AiOrchestrator.Safety;

/// <summary>
/// US social security numbers written AAA-GG-SSSS (or with spaces), outside the ranges never issued: area 000, 666
/// and 900-999, group 00, serial 0000. Nine digits without separators count only next to a word that says so
/// ("SSN", "social security").
/// </summary>
internal sealed class UsSocialSecurityNumberDetector : ISensitiveDataDetector, IDigitRunDetector
{
    public string Name => "us-ssn";

    public bool MayContain(ReadOnlySpan<char> text) => text.ContainsAnyInRange('0', '9');

    public void Detect(ReadOnlySpan<char> text, ICollection<SensitiveDataFinding> findings) => Detect(text, DigitRuns.Of(text), findings);

    public void Detect(ReadOnlySpan<char> text, DigitRuns runs, ICollection<SensitiveDataFinding> findings)
    {
        Span<char> d = stackalloc char[9];
        foreach (var run in runs.Runs)
        {
            var (runStart, runEnd) = (run.Start, run.End);
            if (run.Digits < 9)
            {
                continue;
            }

            // The pattern (see NumberPatterns.Ssn) runs over this run only (plus a little after it, for its look-ahead and an extension).
            var window = text[..Math.Min(text.Length, runEnd + 16)];
            // Like a regex scan, a match (even one validation rejects) is not searched again from inside.
            var skipUntil = 0;
            foreach (var at in runs.TokenStarts(run))
            {
                if (at < skipUntil || !LooksLikeSsnStart(text, at))
                {
                    continue;
                }

                var matched = NumberPatterns.Ssn(window, at);
                if (matched < 0)
                {
                    continue;
                }

                var m = (Index: at, Length: matched);
                skipUntil = m.Index + m.Length;
                var value = text.Slice(m.Index, m.Length);
                var n = 0;
                foreach (var c in value)
                {
                    if (c is >= '0' and <= '9')
                    {
                        d[n++] = c;
                    }
                }

                if (!IsIssuable(d))
                {
                    continue;
                }

                double confidence;
                if (value.Length == 11)
                {
                    if (value[3] == ' ' && Context.IsPartOfAddress(text, m.Index, m.Length))
                    {
                        continue;
                    }

                    confidence = value[3] == '-' ? 0.9 : 0.7;
                }
                else if (Context.HasWordNearby(text, m.Index, m.Length, Context.SsnWords))
                {
                    confidence = 0.85;
                }
                else
                {
                    continue;
                }

                findings.Add(new SensitiveDataFinding(m.Index, m.Length, SensitiveDataType.UsSocialSecurityNumber, confidence, Name));
            }
        }
    }

    /// <summary>Three digits, then a separator or a fourth digit: the only way an SSN starts (a cheap test before the pattern).</summary>
    private static bool LooksLikeSsnStart(ReadOnlySpan<char> text, int at)
        => at + 3 < text.Length && char.IsAsciiDigit(text[at]) && char.IsAsciiDigit(text[at + 1]) && char.IsAsciiDigit(text[at + 2])
        && (text[at + 3] is '-' or ' ' || (char.IsAsciiDigit(text[at + 3]) && at + 9 <= text.Length && (at + 9 == text.Length || !char.IsAsciiDigit(text[at + 9]))));

    internal static bool IsIssuable(ReadOnlySpan<char> d)
    {
        var area = ((d[0] - '0') * 100) + ((d[1] - '0') * 10) + (d[2] - '0');
        if (area is 0 or 666 or >= 900)
        {
            return false;
        }

        if (d[3] == '0' && d[4] == '0')
        {
            return false;
        }

        return !d[5..9].SequenceEqual("0000");
    }
}
