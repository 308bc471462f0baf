using System.Buffers;
using System.Buffers.Text;
using System.Text.RegularExpressions;

namespace AiOrchestrator.Safety;

/// <summary>
/// Credentials that travel as tokens: JSON Web Tokens (three base64url parts whose header decodes to JSON naming an
/// <c>alg</c>), and whatever follows <c>Bearer</c> or <c>Basic</c> (as in an <c>Authorization</c> header).
/// </summary>
internal sealed partial class TokenDetector : ISensitiveDataDetector
{
    private static readonly SearchValues<char> TokenPunctuation = SearchValues.Create("-_.+/=");
    private static readonly SearchValues<string> Triggers = SearchValues.Create(["eyJ", "bearer", "basic "], StringComparison.OrdinalIgnoreCase);

    public string Name => "token";

    public bool MayContain(ReadOnlySpan<char> text) => text.ContainsAny(Triggers);

    public void Detect(ReadOnlySpan<char> text, ICollection<SensitiveDataFinding> findings)
    {
        foreach (var m in Jwt().EnumerateMatches(text))
        {
            var value = text.Slice(m.Index, m.Length);
            if (HeaderNamesAlgorithm(value[..value.IndexOf('.')]))
            {
                findings.Add(new SensitiveDataFinding(m.Index, m.Length, SensitiveDataType.Jwt, 0.99, Name));
            }
        }

        foreach (var m in Authorization().EnumerateMatches(text))
        {
            var value = text.Slice(m.Index, m.Length);
            var token = value.IndexOfAny(' ', '\t');
            while (token < value.Length && value[token] is ' ' or '\t')
            {
                token++;
            }

            var credential = value[token..];
            // Prose such as "bearer bonds are ..." has no digits, or is a plain word.
            if (!credential.ContainsAnyInRange('0', '9') && !credential.ContainsAny(TokenPunctuation))
            {
                continue;
            }

            findings.Add(new SensitiveDataFinding(m.Index + token, m.Length - token, SensitiveDataType.BearerToken, 0.9, Name));
        }
    }

    /// <summary>Decodes the base64url header and checks it is a JSON object with an <c>alg</c> member.</summary>
    internal static bool HeaderNamesAlgorithm(ReadOnlySpan<char> header)
    {
        if (header.Length > 1024)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[Base64Url.GetMaxDecodedLength(header.Length)];
        int written;
        try
        {
            if (!Base64Url.TryDecodeFromChars(header, bytes, out written))
            {
                return false;
            }
        }
        catch (FormatException)
        {
            return false; // not base64url after all (4n + 1 characters): TryDecode throws rather than returning false
        }

        try
        {
            var reader = new System.Text.Json.Utf8JsonReader(bytes[..written]);
            if (!reader.Read() || reader.TokenType != System.Text.Json.JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == System.Text.Json.JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("alg"u8))
                {
                    return true;
                }

                reader.Skip();
                reader.Read();
                if (reader.TokenType is System.Text.Json.JsonTokenType.StartObject or System.Text.Json.JsonTokenType.StartArray)
                {
                    reader.Skip();
                }
            }
        }
        catch (System.Text.Json.JsonException)
        {
            return false;
        }

        return false;
    }

    [GeneratedRegex(@"(?<![\w\-])eyJ[A-Za-z0-9_\-]{4,2048}\.[A-Za-z0-9_\-]{2,8192}\.[A-Za-z0-9_\-]{0,2048}(?![\w\-])", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Jwt();

    [GeneratedRegex(@"(?<![\w])(?i:bearer|basic)[ \t]{1,4}[A-Za-z0-9\-._~+/]{16,4096}=*(?![\w\-])", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Authorization();
}
