using System.Buffers;
using System.Net;
using System.Text.RegularExpressions;

namespace AiOrchestrator.Safety;

/// <summary>IPv4 addresses (four octets up to 255, no leading zeros) and IPv6 addresses (parsed by <see cref="IPAddress"/>).</summary>
internal sealed partial class IpAddressDetector : ISensitiveDataDetector, IDigitRunDetector
{
    private static readonly SearchValues<char> Separators = SearchValues.Create(".:");

    public string Name => "ip-address";

    public bool MayContain(ReadOnlySpan<char> text) => text.ContainsAny(Separators) && text.ContainsAnyInRange('0', '9') && (DigitGates.HasDottedDigits(text) || DigitGates.HasColonGroups(text));

    public void Detect(ReadOnlySpan<char> text, ICollection<SensitiveDataFinding> findings) => Detect(text, DigitRuns.Of(text), findings);

    public void Detect(ReadOnlySpan<char> text, DigitRuns runs, ICollection<SensitiveDataFinding> findings)
    {
        // An address lies inside one run (digits and dots), so only runs with a dot are tried.
        {
            foreach (var run in runs.Runs)
            {
                var (runStart, runEnd) = (run.Start, run.End);
                if (run.Digits < 4 || !text[runStart..runEnd].Contains('.'))
                {
                    continue;
                }

                var window = text[..Math.Min(text.Length, runEnd + 4)];
                // Like a regex scan, a match (even one validation rejects) is not searched again from inside.
                var skipUntil = 0;
                foreach (var at in runs.TokenStarts(run))
                {
                    if (at < skipUntil || !LooksLikeOctetStart(text, at))
                    {
                        continue;
                    }

                    var matched = NumberPatterns.DottedQuad(window, at);
                    if (matched < 0)
                    {
                        continue;
                    }

                    var m = (Index: at, Length: matched);
                    skipUntil = m.Index + m.Length;
                    if (IsIPv4(text.Slice(m.Index, m.Length)))
                    {
                        findings.Add(new SensitiveDataFinding(m.Index, m.Length, SensitiveDataType.IpAddress, 0.9, Name));
                    }
                }
            }
        }

        if (DigitGates.HasColonGroups(text))
        {
            foreach (var m in V6().EnumerateMatches(text))
            {
                var value = text.Slice(m.Index, m.Length);
                // At least three groups with hex in them, or a '::' with two: times (12:30:45) and ratios are not addresses.
                if (value.Count(':') < 2 || CountHexGroups(value) < 3 && !value.Contains("::", StringComparison.Ordinal))
                {
                    continue;
                }

                if (IPAddress.TryParse(value, out var address) && address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 && CountHexGroups(value) >= 2)
                {
                    findings.Add(new SensitiveDataFinding(m.Index, m.Length, SensitiveDataType.IpAddress, 0.9, Name));
                }
            }
        }
    }

    /// <summary>One to three digits and a dot: the only way an IPv4 address starts (a cheap test before the pattern).</summary>
    private static bool LooksLikeOctetStart(ReadOnlySpan<char> text, int at)
    {
        var i = at;
        while (i < text.Length && i - at < 3 && char.IsAsciiDigit(text[i]))
        {
            i++;
        }

        return i > at && i < text.Length && text[i] == '.';
    }

    internal static bool IsIPv4(ReadOnlySpan<char> value)
    {
        var parts = 0;
        foreach (var range in value.Split('.'))
        {
            var part = value[range];
            if (part.Length is 0 or > 3 || (part.Length > 1 && part[0] == '0') || !int.TryParse(part, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var octet) || octet > 255)
            {
                return false;
            }

            parts++;
        }

        return parts == 4;
    }

    private static int CountHexGroups(ReadOnlySpan<char> value)
    {
        var groups = 0;
        foreach (var range in value.Split(':'))
        {
            if (range.End.GetOffset(value.Length) > range.Start.GetOffset(value.Length))
            {
                groups++;
            }
        }

        return groups;
    }

    [GeneratedRegex(@"(?<![\w:])(?:[0-9A-Fa-f]{1,4}:|:){2,8}(?:[0-9A-Fa-f]{1,4})?(?![\w:])", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex V6();
}
