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

    /// <summary>The object named <paramref name="name"/>; null when absent or null; an error when it is something else.</summary>
    public static JsonElement? Object(JsonElement parent, string name)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidUsageException($"Usage field '{name}' must be a JSON object, but was {value.GetRawText()}.");
        }

        return value;
    }

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

    /// <summary>The count <paramref name="name"/> inside the object <paramref name="parent"/>, when both are present.</summary>
    public static long? Count(JsonElement? parent, string name) => parent is { } p ? Count(p, name) : null;
}

/// <summary>
/// Token counts by modality from Gemini's <c>ModalityTokenCount</c> lists (<c>[{"modality":"AUDIO","tokenCount":5}]</c>).
/// <c>DOCUMENT</c> is counted as image, as the price feed does (Gemini bills PDF pages as images). Text (and
/// <c>MODALITY_UNSPECIFIED</c>) needs no count of its own: it is priced as the plain input or output it is part of.
/// </summary>
internal readonly record struct ModalityCounts(long Audio, long Image, long Video)
{
    public static ModalityCounts Read(JsonElement parent, string name)
    {
        if (!parent.TryGetProperty(name, out var list) || list.ValueKind == JsonValueKind.Null)
        {
            return default;
        }

        if (list.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidUsageException($"Usage field '{name}' must be a JSON array of modality counts, but was {list.GetRawText()}.");
        }

        long audio = 0, image = 0, video = 0;
        foreach (var entry in list.EnumerateArray())
        {
            if (entry.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidUsageException($"Each entry of usage field '{name}' must be a JSON object, but one was {entry.GetRawText()}.");
            }

            // Gemini leaves zero counts out (proto3 JSON), so a missing tokenCount is zero.
            var count = UsageJson.Count(entry, "tokenCount") ?? 0;
            var modality = entry.TryGetProperty("modality", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
            switch (modality)
            {
                case "AUDIO":
                    audio += count;
                    break;
                case "IMAGE" or "DOCUMENT":
                    image += count;
                    break;
                case "VIDEO":
                    video += count;
                    break;
            }
        }

        return new ModalityCounts(audio, image, video);
    }

    public static ModalityCounts operator +(ModalityCounts a, ModalityCounts b)
        => new(a.Audio + b.Audio, a.Image + b.Image, a.Video + b.Video);
}
