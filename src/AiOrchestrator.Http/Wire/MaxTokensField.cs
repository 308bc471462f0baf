using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;

namespace AiOrchestrator.Http.Wire;

/// <summary>
/// Writes an attempt's output cap into a request body: every top-level <c>max_tokens</c>,
/// <c>max_completion_tokens</c> and <c>max_output_tokens</c> gets the new value, and a body with none gets the
/// field its API reads (<c>max_completion_tokens</c> for Chat Completions, <c>max_output_tokens</c> for Responses,
/// <c>max_tokens</c> for Anthropic). Every other byte of the body is kept as sent.
/// </summary>
internal static class MaxTokensField
{
    /// <summary>Replaces <paramref name="request"/>'s content with a copy whose cap is <paramref name="cap"/>.</summary>
    public static async Task WriteAsync(HttpRequestMessage request, WireFormat format, long cap, CancellationToken cancellationToken)
    {
        var original = request.Content!;
        var body = await PooledBuffer.CopyAsync(original, cancellationToken).ConfigureAwait(false);
        byte[] rewritten;
        try
        {
            rewritten = Rewrite(body.Written, format, cap);
        }
        finally
        {
            await body.DisposeAsync().ConfigureAwait(false);
        }

        var content = new ByteArrayContent(rewritten);
        foreach (var header in original.Headers)
        {
            if (!string.Equals(header.Key, "Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                content.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        content.Headers.ContentType ??= new MediaTypeHeaderValue("application/json");
        request.Content = content;
        original.Dispose();
    }

    /// <summary>The body with its cap set to <paramref name="cap"/>.</summary>
    /// <exception cref="JsonException">The body is not a JSON object.</exception>
    public static byte[] Rewrite(ReadOnlySpan<byte> body, WireFormat format, long cap)
    {
        Span<byte> digits = stackalloc byte[20];
        cap.TryFormat(digits, out var digitCount, default, CultureInfo.InvariantCulture);
        ReadOnlySpan<byte> value = digits[..digitCount];
        var reader = new Utf8JsonReader(body);
        var spans = new List<(int Start, int Length)>(2);
        var lastEnd = -1;
        var inCap = false;
        var members = 0;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName when reader.CurrentDepth == 1:
                    members++;
                    inCap = reader.ValueTextEquals("max_tokens"u8) || reader.ValueTextEquals("max_completion_tokens"u8) || reader.ValueTextEquals("max_output_tokens"u8);
                    break;
                case JsonTokenType.Number when inCap && reader.CurrentDepth == 1:
                    spans.Add(((int)reader.TokenStartIndex, reader.ValueSpan.Length));
                    inCap = false;
                    break;
                case JsonTokenType.EndObject when reader.CurrentDepth == 0:
                    lastEnd = (int)reader.TokenStartIndex;
                    break;
                default:
                    if (reader.CurrentDepth == 1 && reader.TokenType is not JsonTokenType.PropertyName)
                    {
                        inCap = false;
                    }

                    break;
            }
        }

        if (lastEnd < 0)
        {
            throw new JsonException("The body is not a JSON object.");
        }

        if (spans.Count > 0)
        {
            // One array of the exact size: the body with each cap's digits replaced.
            var size = body.Length + (spans.Count * value.Length);
            foreach (var (_, length) in spans)
            {
                size -= length;
            }

            var output = new byte[size];
            var at = 0;
            var written = 0;
            foreach (var (start, length) in spans)
            {
                body[at..start].CopyTo(output.AsSpan(written));
                written += start - at;
                value.CopyTo(output.AsSpan(written));
                written += value.Length;
                at = start + length;
            }

            body[at..].CopyTo(output.AsSpan(written));
            return output;
        }

        var field = format switch
        {
            WireFormat.OpenAIResponses => members > 0 ? ",\"max_output_tokens\":"u8 : "\"max_output_tokens\":"u8,
            WireFormat.AnthropicMessages => members > 0 ? ",\"max_tokens\":"u8 : "\"max_tokens\":"u8,
            _ => members > 0 ? ",\"max_completion_tokens\":"u8 : "\"max_completion_tokens\":"u8,
        };
        var added = new byte[body.Length + field.Length + value.Length];
        body[..lastEnd].CopyTo(added);
        field.CopyTo(added.AsSpan(lastEnd));
        value.CopyTo(added.AsSpan(lastEnd + field.Length));
        body[lastEnd..].CopyTo(added.AsSpan(lastEnd + field.Length + value.Length));
        return added;
    }
}
