using System.Text.Json;

namespace AiOrchestrator.Pricing;

/// <summary>Small readers shared by the catalog parser, each failing with a message that says where.</summary>
internal static class CatalogJson
{
    public static string RequiredString(JsonElement element, string name, string where)
        => element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(value.GetString())
            ? value.GetString()!
            : throw new InvalidDataException($"The price catalog has {where} without a '{name}'.");
}
