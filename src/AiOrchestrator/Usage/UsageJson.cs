using System.Text.Json;

namespace AiOrchestrator;

/// <summary>Shared reading of token counts from provider usage JSON, with errors that name the field.</summary>
internal static class UsageJson
{
    /// <summary>Parses UTF-8 JSON and hands its root to <paramref name="parse"/>; malformed JSON names what it was.</summary>
    public static TokenUsage Parse(ReadOnlySpan<byte> utf8Json, string what, Func<JsonElement, TokenUsage> parse)
    {
        try
        {
            var reader = new Utf8JsonReader(utf8Json);
            using var document = JsonDocument.ParseValue(ref reader);
            return parse(document.RootElement);
        }
        catch (JsonException ex)
        {
            throw new InvalidUsageException($"{what} is not valid JSON: {ex.Message}", ex);
        }
    }

    public static void RequireObject(JsonElement element, string what)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidUsageException($"{what} must be a JSON object, but was {element.ValueKind}.");
        }
    }

    public static JsonElement? Object(JsonElement parent, string name)
        => parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object ? value : null;

    public static long? Count(JsonElement parent, string name)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var count))
        {
            throw new InvalidUsageException($"Usage field '{name}' must be a whole number, but was {value.GetRawText()}.");
        }

        if (count < 0)
        {
            throw new InvalidUsageException($"Usage field '{name}' is negative ({count}); token counts must be zero or more.");
        }

        return count;
    }
}
