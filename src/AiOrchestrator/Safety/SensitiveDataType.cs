using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using AiOrchestrator.Pipeline;

namespace AiOrchestrator.Safety;

/// <summary>
/// What kind of value a finding is, such as <see cref="Email"/> or <see cref="OpenAiApiKey"/>. The well-known kinds
/// are listed here; a custom detector names its own (<c>new SensitiveDataType("EMPLOYEE_ID")</c>).
/// </summary>
/// <remarks>
/// A name is 1 to 40 characters of upper-case ASCII letters, digits and underscores: it becomes part of the
/// placeholder that replaces a redacted value (<c>[EMPLOYEE_ID_1]</c>) and a configuration key.
/// </remarks>
[Experimental(AiCall.ExperimentalDiagnosticId)]
public readonly struct SensitiveDataType : IEquatable<SensitiveDataType>
{
    private static readonly FrozenSet<string> SecretNames = new[]
    {
        "OPENAI_API_KEY", "ANTHROPIC_API_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "GITHUB_TOKEN", "SLACK_TOKEN",
        "STRIPE_KEY", "BEARER_TOKEN", "JWT", "PRIVATE_KEY", "PASSWORD",
    }.ToFrozenSet(StringComparer.Ordinal);

    private static readonly FrozenSet<string> PiiNames = new[]
    {
        "EMAIL", "PHONE", "CREDIT_CARD", "IBAN", "US_SSN", "IP_ADDRESS",
    }.ToFrozenSet(StringComparer.Ordinal);

    private readonly string? _name;

    /// <summary>Creates a type named <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">The name is not 1 to 40 characters of A-Z, 0-9 and '_'.</exception>
    public SensitiveDataType(string name)
    {
        if (!IsValidName(name))
        {
            throw new ArgumentException($"'{name}' cannot name a sensitive-data type: use 1 to 40 characters of A-Z, 0-9 and '_', starting with a letter (such as EMPLOYEE_ID).", nameof(name));
        }

        _name = name;
    }

    /// <summary>An e-mail address.</summary>
    public static SensitiveDataType Email { get; } = new("EMAIL");

    /// <summary>A telephone number.</summary>
    public static SensitiveDataType Phone { get; } = new("PHONE");

    /// <summary>A payment card number (Luhn-checked, known issuer prefix and length).</summary>
    public static SensitiveDataType CreditCard { get; } = new("CREDIT_CARD");

    /// <summary>An international bank account number (mod-97 checked, per-country length).</summary>
    public static SensitiveDataType Iban { get; } = new("IBAN");

    /// <summary>A United States social security number (invalid ranges excluded).</summary>
    public static SensitiveDataType UsSocialSecurityNumber { get; } = new("US_SSN");

    /// <summary>An IPv4 or IPv6 address.</summary>
    public static SensitiveDataType IpAddress { get; } = new("IP_ADDRESS");

    /// <summary>An OpenAI API key (<c>sk-</c>, <c>sk-proj-</c>).</summary>
    public static SensitiveDataType OpenAiApiKey { get; } = new("OPENAI_API_KEY");

    /// <summary>An Anthropic API key (<c>sk-ant-</c>).</summary>
    public static SensitiveDataType AnthropicApiKey { get; } = new("ANTHROPIC_API_KEY");

    /// <summary>An AWS access key id (<c>AKIA</c>, <c>ASIA</c>).</summary>
    public static SensitiveDataType AwsAccessKeyId { get; } = new("AWS_ACCESS_KEY_ID");

    /// <summary>An AWS secret access key, recognised next to a name that says so.</summary>
    public static SensitiveDataType AwsSecretAccessKey { get; } = new("AWS_SECRET_ACCESS_KEY");

    /// <summary>A GitHub token (<c>ghp_</c>, <c>gho_</c>, <c>github_pat_</c>...).</summary>
    public static SensitiveDataType GitHubToken { get; } = new("GITHUB_TOKEN");

    /// <summary>A Slack token (<c>xoxb-</c>, <c>xoxp-</c>...).</summary>
    public static SensitiveDataType SlackToken { get; } = new("SLACK_TOKEN");

    /// <summary>A Stripe secret or restricted key (<c>sk_live_</c>, <c>rk_live_</c>...).</summary>
    public static SensitiveDataType StripeKey { get; } = new("STRIPE_KEY");

    /// <summary>A bearer or basic credential after <c>Bearer</c> / <c>Basic</c>.</summary>
    public static SensitiveDataType BearerToken { get; } = new("BEARER_TOKEN");

    /// <summary>A JSON Web Token.</summary>
    public static SensitiveDataType Jwt { get; } = new("JWT");

    /// <summary>A PEM private key block.</summary>
    public static SensitiveDataType PrivateKey { get; } = new("PRIVATE_KEY");

    /// <summary>A password: <c>Password=</c>/<c>Pwd=</c> in a connection string, or the password of a URL such as <c>postgres://user:pass@host</c>.</summary>
    public static SensitiveDataType Password { get; } = new("PASSWORD");

    /// <summary>A term from the configured deny-list.</summary>
    public static SensitiveDataType DeniedTerm { get; } = new("DENIED_TERM");

    /// <summary>A prompt-injection attempt (used in decisions, not as a redactable value).</summary>
    public static SensitiveDataType PromptInjection { get; } = new("PROMPT_INJECTION");

    /// <summary>The type's name, such as <c>EMAIL</c>.</summary>
    public string Name => _name ?? "UNKNOWN";

    /// <summary>True for credentials (keys, tokens, passwords, private keys).</summary>
    public bool IsSecret => SecretNames.Contains(Name);

    /// <summary>True for the well-known personal data types (e-mail, phone, card, IBAN, SSN, IP address).</summary>
    public bool IsPersonalData => PiiNames.Contains(Name);

    /// <summary>Whether <paramref name="name"/> can name a type.</summary>
    public static bool IsValidName(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 40 || name[0] is < 'A' or > 'Z')
        {
            return false;
        }

        foreach (var c in name)
        {
            if (c is not ((>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_'))
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc/>
    public bool Equals(SensitiveDataType other) => string.Equals(Name, other.Name, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is SensitiveDataType other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Name);

    /// <inheritdoc/>
    public override string ToString() => Name;

    /// <summary>Compares two types by name.</summary>
    public static bool operator ==(SensitiveDataType left, SensitiveDataType right) => left.Equals(right);

    /// <summary>Compares two types by name.</summary>
    public static bool operator !=(SensitiveDataType left, SensitiveDataType right) => !left.Equals(right);
}
