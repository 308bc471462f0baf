using System.Text.RegularExpressions;

namespace AiOrchestrator.Safety;

/// <summary>
/// PEM private key blocks (<c>-----BEGIN ... PRIVATE KEY-----</c>), up to and including their END line; a block cut
/// off before its END line is reported up to where its base64 body stops.
/// </summary>
internal sealed partial class PrivateKeyDetector : ISensitiveDataDetector
{
    public string Name => "private-key";

    public bool MayContain(ReadOnlySpan<char> text) => text.Contains("-----BEGIN", StringComparison.Ordinal);

    public void Detect(ReadOnlySpan<char> text, ICollection<SensitiveDataFinding> findings)
    {
        foreach (var m in Pattern().EnumerateMatches(text))
        {
            var value = text.Slice(m.Index, m.Length);
            var headerEnd = value.IndexOf("KEY-----", StringComparison.Ordinal) + 8;
            var end = value[headerEnd..].IndexOf("-----END", StringComparison.Ordinal);
            int length;
            if (end >= 0)
            {
                var close = value[(headerEnd + end + 8)..].IndexOf("-----", StringComparison.Ordinal);
                length = close >= 0 ? headerEnd + end + 8 + close + 5 : value.Length;
            }
            else
            {
                length = value.TrimEnd().Length;
            }

            findings.Add(new SensitiveDataFinding(m.Index, length, SensitiveDataType.PrivateKey, 0.99, Name));
        }
    }

    // The body class admits the END line too; Detect cuts the match there. Bounded so that a header without a body
    // cannot make a scan of a large text slow.
    [GeneratedRegex(@"-----BEGIN[ A-Z0-9]{0,40}PRIVATE KEY-----[A-Za-z0-9+/=\s:,.\-]{0,65536}", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Pattern();
}
