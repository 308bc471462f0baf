using System.Buffers;
using System.Text.RegularExpressions;

namespace AiOrchestrator.Safety;

/// <summary>
/// Provider API keys recognised by their published prefixes: OpenAI (<c>sk-</c>, <c>sk-proj-</c>), Anthropic
/// (<c>sk-ant-</c>), AWS access key ids (<c>AKIA</c>, <c>ASIA</c>...) and secret access keys written next to their
/// name, GitHub (<c>ghp_</c>, <c>gho_</c>, <c>ghu_</c>, <c>ghs_</c>, <c>ghr_</c>, <c>github_pat_</c>), Slack
/// (<c>xoxb-</c>...) and Stripe (<c>sk_live_</c>, <c>rk_live_</c>, and the <c>_test_</c> ones).
/// </summary>
internal sealed partial class ApiKeyDetector : ISensitiveDataDetector
{
    private static readonly SearchValues<string> Prefixes = SearchValues.Create(
        ["sk-", "sk_", "rk_", "AKIA", "ASIA", "ABIA", "ACCA", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "xox", "aws"],
        StringComparison.OrdinalIgnoreCase);

    private static readonly SearchValues<string> AwsPrefixes = SearchValues.Create(["AKIA", "ASIA", "ABIA", "ACCA"], StringComparison.Ordinal);
    private static readonly SearchValues<string> GitHubPrefixes = SearchValues.Create(["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"], StringComparison.Ordinal);
    private static readonly SearchValues<string> StripePrefixes = SearchValues.Create(["sk_live_", "sk_test_", "rk_live_", "rk_test_"], StringComparison.Ordinal);

    public string Name => "api-key";

    public bool MayContain(ReadOnlySpan<char> text) => text.ContainsAny(Prefixes);

    public void Detect(ReadOnlySpan<char> text, ICollection<SensitiveDataFinding> findings)
    {
        foreach (var m in text.Contains("sk-ant-", StringComparison.Ordinal) ? Anthropic().EnumerateMatches(text) : Anthropic().EnumerateMatches(ReadOnlySpan<char>.Empty))
        {
            findings.Add(new SensitiveDataFinding(m.Index, m.Length, SensitiveDataType.AnthropicApiKey, 0.99, Name));
        }

        foreach (var m in text.Contains("sk-", StringComparison.Ordinal) ? OpenAi().EnumerateMatches(text) : OpenAi().EnumerateMatches(ReadOnlySpan<char>.Empty))
        {
            // A real key mixes letters and digits; "sk-learn-style-names-like-this" does not.
            if (HasLetterAndDigit(text.Slice(m.Index, m.Length)))
            {
                findings.Add(new SensitiveDataFinding(m.Index, m.Length, SensitiveDataType.OpenAiApiKey, 0.95, Name));
            }
        }

        foreach (var m in text.ContainsAny(AwsPrefixes) ? AwsKeyId().EnumerateMatches(text) : AwsKeyId().EnumerateMatches(ReadOnlySpan<char>.Empty))
        {
            findings.Add(new SensitiveDataFinding(m.Index, m.Length, SensitiveDataType.AwsAccessKeyId, 0.95, Name));
        }

        foreach (var m in text.Contains("aws", StringComparison.OrdinalIgnoreCase) ? AwsSecret().EnumerateMatches(text) : AwsSecret().EnumerateMatches(ReadOnlySpan<char>.Empty))
        {
            // The match runs from the name to the key; the key is its last 40 characters.
            findings.Add(new SensitiveDataFinding(m.Index + m.Length - 40, 40, SensitiveDataType.AwsSecretAccessKey, 0.9, Name));
        }

        foreach (var m in text.ContainsAny(GitHubPrefixes) ? GitHub().EnumerateMatches(text) : GitHub().EnumerateMatches(ReadOnlySpan<char>.Empty))
        {
            findings.Add(new SensitiveDataFinding(m.Index, m.Length, SensitiveDataType.GitHubToken, 0.99, Name));
        }

        foreach (var m in text.Contains("xox", StringComparison.Ordinal) ? Slack().EnumerateMatches(text) : Slack().EnumerateMatches(ReadOnlySpan<char>.Empty))
        {
            findings.Add(new SensitiveDataFinding(m.Index, m.Length, SensitiveDataType.SlackToken, 0.95, Name));
        }

        foreach (var m in text.ContainsAny(StripePrefixes) ? Stripe().EnumerateMatches(text) : Stripe().EnumerateMatches(ReadOnlySpan<char>.Empty))
        {
            findings.Add(new SensitiveDataFinding(m.Index, m.Length, SensitiveDataType.StripeKey, 0.95, Name));
        }
    }

    internal static bool HasLetterAndDigit(ReadOnlySpan<char> value)
    {
        var body = value[3..];
        return body.ContainsAnyInRange('0', '9') && (body.ContainsAnyInRange('a', 'z') || body.ContainsAnyInRange('A', 'Z'));
    }

    [GeneratedRegex(@"(?<![\w\-])sk-ant-[a-z]{2,8}\d{2}-[A-Za-z0-9_\-]{20,200}(?![\w\-])", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Anthropic();

    [GeneratedRegex(@"(?<![\w\-])sk-(?!ant-)(?:(?:proj|svcacct|admin|None)-)?[A-Za-z0-9_\-]{20,200}(?![\w\-])", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex OpenAi();

    [GeneratedRegex(@"(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}(?![A-Za-z0-9])", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex AwsKeyId();

    [GeneratedRegex(@"(?i:aws)[\w\-. ]{0,20}?(?i:secret|private)[\w\-. ]{0,20}?[""']?\s{0,3}[:=]>?\s{0,3}[""']?[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+])", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex AwsSecret();

    [GeneratedRegex(@"(?<![\w])(?:gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{22,244})(?![\w])", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex GitHub();

    [GeneratedRegex(@"(?<![\w\-])xox[abposre]-[A-Za-z0-9\-]{10,250}(?![\w\-])", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Slack();

    [GeneratedRegex(@"(?<![\w])(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,247}(?![\w])", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Stripe();
}
