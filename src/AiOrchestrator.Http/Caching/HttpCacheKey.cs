using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;

namespace AiOrchestrator.Http.Caching;

/// <summary>
/// The exact-cache key of an HTTP LLM request: SHA-256 over the partition, the endpoint (host and path: an Azure
/// deployment is part of the path), whether it streams, and the body in canonical form (object members sorted, numbers
/// and strings as sent), without the members that do not change the answer (<c>stream</c>, <c>stream_options</c>,
/// <c>user</c>, <c>metadata</c>, <c>store</c>, <c>safety_identifier</c>, <c>prompt_cache_key</c>). Also reads what the
/// shared bypass rule needs: the temperature and the tools' names.
/// </summary>
internal static class HttpCacheKey
{
    private static readonly HashSet<string> Ignored = new(StringComparer.Ordinal)
    {
        "stream", "stream_options", "user", "metadata", "store", "safety_identifier", "prompt_cache_key",
    };

    public static string Build(string partition, Uri? endpoint, bool stream, ReadOnlySpan<byte> body, out double? temperature, out List<string> tools)
    {
        temperature = null;
        tools = [];
        var buffer = new ArrayBufferWriter<byte>(body.Length + 256);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true }))
        {
            writer.WriteStartArray();
            writer.WriteStringValue("aio-http-cache-1");
            writer.WriteStringValue(partition);
            writer.WriteStringValue(endpoint is { IsAbsoluteUri: true } ? endpoint.Host + endpoint.AbsolutePath : endpoint?.OriginalString);
            writer.WriteBooleanValue(stream);
            using var doc = JsonDocument.Parse(body.ToArray());
            var root = doc.RootElement;
            if (root.TryGetProperty("temperature", out var t) && t.ValueKind == JsonValueKind.Number)
            {
                temperature = t.GetDouble();
            }

            if (root.TryGetProperty("tools", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                foreach (var tool in list.EnumerateArray())
                {
                    var name = tool.ValueKind != JsonValueKind.Object ? null
                        : tool.TryGetProperty("function", out var f) && f.ValueKind == JsonValueKind.Object && f.TryGetProperty("name", out var fn) ? fn.GetString()
                        : tool.TryGetProperty("name", out var n) ? n.GetString() : null;
                    if (name is not null)
                    {
                        tools.Add(name);
                    }
                }
            }

            WriteCanonical(writer, root, topLevel: true);
            writer.WriteEndArray();
        }

        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(buffer.WrittenSpan, hash);
        return "aio:http:" + Convert.ToHexStringLower(hash);
    }

    private static void WriteCanonical(Utf8JsonWriter writer, JsonElement element, bool topLevel)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in element.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    if (topLevel && Ignored.Contains(property.Name))
                    {
                        continue;
                    }

                    writer.WritePropertyName(property.Name);
                    WriteCanonical(writer, property.Value, topLevel: false);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                {
                    WriteCanonical(writer, item, topLevel: false);
                }

                writer.WriteEndArray();
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }
}
