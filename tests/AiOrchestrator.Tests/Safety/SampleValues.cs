namespace AiOrchestrator.Tests.Safety;

/// <summary>
/// Fake values written for these tests. Keys are assembled from parts so that no file holds a string that looks like
/// a live credential; the AWS ones are the documentation examples AWS publishes.
/// </summary>
internal static class SampleValues
{
    public const string Email = "jane.doe+billing@example.org";
    public const string Visa = "4111 1111 1111 1111";
    public const string VisaBadLuhn = "4111 1111 1111 1112";
    public const string Mastercard = "5555555555554444";
    public const string Amex = "378282246310005";
    public const string Iban = "GB82 WEST 1234 5698 7654 32";
    public const string IbanCompact = "DE89370400440532013000";
    public const string IbanBadChecksum = "GB82 WEST 1234 5698 7654 33";
    public const string Ssn = "123-45-6789";
    public const string Ipv4 = "192.168.14.20";
    public const string Ipv6 = "2001:db8::8a2e:370:7334";
    public const string AwsKeyId = "AKIAIOSFODNN7EXAMPLE";
    public const string AwsSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

    public static readonly string OpenAiKey = "sk-" + "proj-" + "Ab3dE5gH7jK9mN1pQ3sT5vX7zB9dF1hJ3";
    public static readonly string OpenAiLegacyKey = "sk-" + "T3stKey0nlyForUnitTests4bcd3fgh1jk";
    public static readonly string AnthropicKey = "sk-" + "ant-api03-" + "Xy7Zq0Wv9Ut8Sr7Qp6On5Ml4Kj3Ih2Gf1Ed0Cb-AA";
    public static readonly string GitHubToken = "ghp" + "_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8";
    public static readonly string GitHubFineGrained = "github" + "_pat_" + "11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz0123456789ABCDEF";
    public static readonly string SlackToken = "xox" + "b-" + "1234567890-0987654321-AbCdEfGhIjKlMnOp";
    public static readonly string StripeKey = "sk" + "_live_" + "4eC39HqLyjWDarjtT1zdp7dc";
    public static readonly string StripeRestricted = "rk" + "_live_" + "51HqLyjWDarjtT1zdp7dcAbC";

    // {"alg":"HS256","typ":"JWT"} . {"sub":"1234567890"} . signature
    public static readonly string Jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9" + ".eyJzdWIiOiIxMjM0NTY3ODkwIn0" + ".SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";

    // {"not":"a jwt"} has no "alg": three base64url parts are not enough.
    public static readonly string NotAJwt = "eyJub3QiOiJhIGp3dCJ9" + ".eyJ4IjoxfQ" + ".c2lnbmF0dXJl";

    public static readonly string PemKey = "-----BEGIN " + "RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7bq98Zt0u1Zs\nQWx0ZXN0a2V5Zm9ydW5pdHRlc3Rz\n-----END RSA " + "PRIVATE KEY-----";
}
