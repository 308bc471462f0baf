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
    private static readonly SearchValues<char> KeyCharacters = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-");

    [Flags]
    private enum Family
    {
        None = 0,
        Anthropic = 1,
        OpenAi = 2,
        AwsKeyId = 4,
        AwsSecret = 8,
        GitHub = 16,
        Slack = 32,
        Stripe = 64,
    }

    public string Name => "api-key";

    public bool MayContain(ReadOnlySpan<char> text) => text.ContainsAny(Prefixes);

    public void Detect(ReadOnlySpan<char> text, ICollection<SensitiveDataFinding> findings)
    {
        // One pass over the prefixes says which families are in the text (instead of one search per family).
        var families = Families(text);
        foreach (var m in (families & Family.Anthropic) != 0 ? Anthropic().EnumerateMatches(text) : Anthropic().EnumerateMatches(ReadOnlySpan<char>.Empty))
        {
            findings.Add(new SensitiveDataFinding(m.Index, m.Length, SensitiveDataType.AnthropicApiKey, 0.99, Name));
        }

        if ((families & Family.OpenAi) != 0)
        {
            OpenAiKeys(text, findings);
        }

        foreach (var m in (families & Family.AwsKeyId) != 0 ? AwsKeyId().EnumerateMatches(text) : AwsKeyId().EnumerateMatches(ReadOnlySpan<char>.Empty))
        {
            findings.Add(new SensitiveDataFinding(m.Index, m.Length, SensitiveDataType.AwsAccessKeyId, 0.95, Name));
        }

        foreach (var m in (families & Family.AwsSecret) != 0 ? AwsSecret().EnumerateMatches(text) : AwsSecret().EnumerateMatches(ReadOnlySpan<char>.Empty))
        {
            // The match runs from the name to the key; the key is its last 40 characters.
            findings.Add(new SensitiveDataFinding(m.Index + m.Length - 40, 40, SensitiveDataType.AwsSecretAccessKey, 0.9, Name));
        }

        foreach (var m in (families & Family.GitHub) != 0 ? GitHub().EnumerateMatches(text) : GitHub().EnumerateMatches(ReadOnlySpan<char>.Empty))
        {
            findings.Add(new SensitiveDataFinding(m.Index, m.Length, SensitiveDataType.GitHubToken, 0.99, Name));
        }

        foreach (var m in (families & Family.Slack) != 0 ? Slack().EnumerateMatches(text) : Slack().EnumerateMatches(ReadOnlySpan<char>.Empty))
        {
            findings.Add(new SensitiveDataFinding(m.Index, m.Length, SensitiveDataType.SlackToken, 0.95, Name));
        }

        foreach (var m in (families & Family.Stripe) != 0 ? Stripe().EnumerateMatches(text) : Stripe().EnumerateMatches(ReadOnlySpan<char>.Empty))
        {
            findings.Add(new SensitiveDataFinding(m.Index, m.Length, SensitiveDataType.StripeKey, 0.95, Name));
        }
    }

    /// <summary>
    /// The length of the match of <c>\G(?&lt;![\w\-])sk-(?!ant-)(?:(?:proj|svcacct|admin|None)-)?[A-Za-z0-9_\-]{20,200}(?![\w\-])</c>
    /// at <paramref name="at"/>, or -1. The optional prefix is made of the key's own characters, so with or without
    /// it the match ends at the end of the key's characters: only the length bounds differ.
    /// </summary>
    internal static int OpenAiKey(ReadOnlySpan<char> text, int at)
    {
        if ((at > 0 && (NumberPatterns.IsWordChar(text[at - 1]) || text[at - 1] == '-')) || !text[at..].StartsWith("sk-", StringComparison.Ordinal))
        {
            return -1;
        }

        var body = text[(at + 3)..];
        if (body.StartsWith("ant-", StringComparison.Ordinal))
        {
            return -1;
        }

        var n = body.IndexOfAnyExcept(KeyCharacters);
        n = n < 0 ? body.Length : n;
        if (n < body.Length && (NumberPatterns.IsWordChar(body[n]) || body[n] == '-'))
        {
            return -1;
        }

        var prefix = body.StartsWith("proj-", StringComparison.Ordinal) ? 5
            : body.StartsWith("svcacct-", StringComparison.Ordinal) ? 8
            : body.StartsWith("admin-", StringComparison.Ordinal) ? 6
            : body.StartsWith("None-", StringComparison.Ordinal) ? 5
            : -1;
        return (prefix >= 0 && n - prefix is >= 20 and <= 200) || n is >= 20 and <= 200 ? n + 3 : -1;
    }

    private void OpenAiKeys(ReadOnlySpan<char> text, ICollection<SensitiveDataFinding> findings)
    {
        var from = 0;
        while (from < text.Length)
        {
            var at = text[from..].IndexOf("sk-", StringComparison.Ordinal);
            if (at < 0)
            {
                return;
            }

            at += from;
            var length = OpenAiKey(text, at);
            if (length < 0)
            {
                from = at + 1;
                continue;
            }

            from = at + length;

            // A real key mixes letters and digits; "sk-learn-style-names-like-this" does not.
            if (HasLetterAndDigit(text.Slice(at, length)))
            {
                findings.Add(new SensitiveDataFinding(at, length, SensitiveDataType.OpenAiApiKey, 0.95, Name));
            }
        }
    }

    private static Family Families(ReadOnlySpan<char> text)
    {
        var families = Family.None;
        var from = 0;
        while (from < text.Length)
        {
            var at = text[from..].IndexOfAny(Prefixes);
            if (at < 0)
            {
                break;
            }

            at += from;
            from = at + 1;
            var rest = text[at..];
            if (rest.StartsWith("sk-", StringComparison.Ordinal))
            {
                families |= rest.StartsWith("sk-ant-", StringComparison.Ordinal) ? Family.Anthropic | Family.OpenAi : Family.OpenAi;
            }
            else if (rest.StartsWith("aws", StringComparison.OrdinalIgnoreCase))
            {
                families |= Family.AwsSecret;
            }
            else if (rest.StartsWith("xox", StringComparison.Ordinal))
            {
                families |= Family.Slack;
            }
            else if (rest[..Math.Min(rest.Length, 4)].IndexOfAny(AwsPrefixes) == 0)
            {
                families |= Family.AwsKeyId;
            }
            else if (rest[..Math.Min(rest.Length, 11)].IndexOfAny(GitHubPrefixes) == 0)
            {
                families |= Family.GitHub;
            }
            else if (rest[..Math.Min(rest.Length, 8)].IndexOfAny(StripePrefixes) == 0)
            {
                families |= Family.Stripe;
            }
        }

        return families;
    }

    internal static bool HasLetterAndDigit(ReadOnlySpan<char> value)
    {
        var body = value[3..];
        return body.ContainsAnyInRange('0', '9') && (body.ContainsAnyInRange('a', 'z') || body.ContainsAnyInRange('A', 'Z'));
    }

    [GeneratedRegex(@"(?<![\w\-])sk-ant-[a-z]{2,8}\d{2}-[A-Za-z0-9_\-]{20,200}(?![\w\-])", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Anthropic();

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
