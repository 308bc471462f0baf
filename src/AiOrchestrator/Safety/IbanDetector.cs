using System.Collections.Frozen;

namespace AiOrchestrator.Safety;

/// <summary>
/// International bank account numbers, printed compact or in groups of four: a country with a known IBAN length, two
/// check digits, and the ISO 13616 mod-97 check.
/// </summary>
internal sealed class IbanDetector : ISensitiveDataDetector, IDigitRunDetector
{
    /// <summary>IBAN lengths by country (the SWIFT IBAN registry).</summary>
    private static readonly FrozenDictionary<string, int> Lengths = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["AD"] = 24, ["AE"] = 23, ["AL"] = 28, ["AT"] = 20, ["AZ"] = 28, ["BA"] = 20, ["BE"] = 16, ["BG"] = 22, ["BH"] = 22,
        ["BI"] = 27, ["BR"] = 29, ["BY"] = 28, ["CH"] = 21, ["CR"] = 22, ["CY"] = 28, ["CZ"] = 24, ["DE"] = 22, ["DJ"] = 27,
        ["DK"] = 18, ["DO"] = 28, ["EE"] = 20, ["EG"] = 29, ["ES"] = 24, ["FI"] = 18, ["FK"] = 18, ["FO"] = 18, ["FR"] = 27,
        ["GB"] = 22, ["GE"] = 22, ["GI"] = 23, ["GL"] = 18, ["GR"] = 27, ["GT"] = 28, ["HR"] = 21, ["HU"] = 28, ["IE"] = 22,
        ["IL"] = 23, ["IQ"] = 23, ["IS"] = 26, ["IT"] = 27, ["JO"] = 30, ["KW"] = 30, ["KZ"] = 20, ["LB"] = 28, ["LC"] = 32,
        ["LI"] = 21, ["LT"] = 20, ["LU"] = 20, ["LV"] = 21, ["LY"] = 25, ["MC"] = 27, ["MD"] = 24, ["ME"] = 22, ["MK"] = 19,
        ["MN"] = 20, ["MR"] = 27, ["MT"] = 31, ["MU"] = 30, ["NI"] = 28, ["NL"] = 18, ["NO"] = 15, ["OM"] = 23, ["PK"] = 24,
        ["PL"] = 28, ["PS"] = 29, ["PT"] = 25, ["QA"] = 29, ["RO"] = 24, ["RS"] = 22, ["RU"] = 33, ["SA"] = 24, ["SC"] = 31,
        ["SD"] = 18, ["SE"] = 24, ["SI"] = 19, ["SK"] = 24, ["SM"] = 27, ["SO"] = 23, ["ST"] = 25, ["SV"] = 28, ["TL"] = 23,
        ["TN"] = 24, ["TR"] = 26, ["UA"] = 29, ["VA"] = 22, ["VG"] = 24, ["XK"] = 20, ["YE"] = 30,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> LengthsBySpan = Lengths.GetAlternateLookup<ReadOnlySpan<char>>();

    public string Name => "iban";

    public bool MayContain(ReadOnlySpan<char> text) => text.ContainsAnyInRange('0', '9');

    public void Detect(ReadOnlySpan<char> text, ICollection<SensitiveDataFinding> findings) => Detect(text, DigitRuns.Of(text), findings);

    public void Detect(ReadOnlySpan<char> text, DigitRuns runs, ICollection<SensitiveDataFinding> findings)
    {
        Span<char> compact = stackalloc char[34];
        Span<char> country = stackalloc char[2];
        // Candidates start where two letters follow a non-word character and two digits follow them (the scanner's
        // one pass over the digits lists these places); only there is the pattern tried.
        var from = 0;
        foreach (var p in runs.AfterTwoLetters)
        {
            if (p < from)
            {
                continue; // inside an IBAN already found
            }

            var length = NumberPatterns.Iban(text, p - 2);
            if (length < 0)
            {
                continue;
            }

            var m = (Index: p - 2, Length: length);
            var value = text.Slice(m.Index, m.Length);
            country[0] = char.ToUpperInvariant(value[0]);
            country[1] = char.ToUpperInvariant(value[1]);
            if (!LengthsBySpan.TryGetValue(country, out var expected))
            {
                continue;
            }

            // The pattern may run on into the next word ("... 32 and"); take exactly the country's length.
            var n = 0;
            var end = 0;
            for (var i = 0; i < value.Length && n < expected; i++)
            {
                if (value[i] != ' ')
                {
                    compact[n++] = value[i];
                    end = i + 1;
                }
            }

            if (n < expected || (end < value.Length && value[end] != ' ') || !Checksums.IbanMod97(compact[..n]))
            {
                continue;
            }

            var upper = !value[..end].ContainsAnyInRange('a', 'z');
            findings.Add(new SensitiveDataFinding(m.Index, end, SensitiveDataType.Iban, upper ? 0.95 : 0.85, Name));
            from = m.Index + end;
        }
    }
}
