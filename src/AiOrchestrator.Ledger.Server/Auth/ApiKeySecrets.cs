using System.Security.Cryptography;
using System.Text;

namespace AiOrchestrator.Ledger.Server.Auth;

/// <summary>API key secrets: 32 random bytes in base64url behind a recognisable prefix; only their SHA-256 is stored.</summary>
internal static class ApiKeySecrets
{
    public const string Prefix = "aiol_";

    public static string NewSecret() => Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string NewKeyId() => "key_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
