using System.Text.Json;

namespace AiOrchestrator;

/// <summary>
/// Reads the <c>usageMetadata</c> object of Google's Gemini API (AI Studio and Vertex AI) into a <see cref="TokenUsage"/>.
/// </summary>
/// <remarks>
/// Gemini counts cached content inside <c>promptTokenCount</c>, and reports thinking tokens in
/// <c>thoughtsTokenCount</c> apart from <c>candidatesTokenCount</c>; they are billed as output, so they are added to
/// the output here. Tool-use prompt tokens are input.
/// </remarks>
public static class GeminiUsage
{
    /// <summary>Parses a usageMetadata object given as UTF-8 JSON.</summary>
    /// <exception cref="InvalidUsageException">The JSON is malformed, not an object, or holds impossible counts.</exception>
    public static TokenUsage Parse(ReadOnlySpan<byte> utf8Json)
        => UsageJson.Parse(utf8Json, "Gemini usageMetadata", static usage => Parse(usage));

    /// <summary>Parses a usageMetadata object.</summary>
    /// <exception cref="InvalidUsageException">The element is not an object or holds impossible counts.</exception>
    public static TokenUsage Parse(JsonElement usageMetadata)
    {
        UsageJson.RequireObject(usageMetadata, "Gemini usageMetadata");
        var prompt = UsageJson.Count(usageMetadata, "promptTokenCount");
        var candidates = UsageJson.Count(usageMetadata, "candidatesTokenCount");
        if (prompt is null && candidates is null)
        {
            throw new InvalidUsageException("Gemini usageMetadata has neither promptTokenCount nor candidatesTokenCount.");
        }

        var toolPrompt = UsageJson.Count(usageMetadata, "toolUsePromptTokenCount") ?? 0;
        var thoughts = UsageJson.Count(usageMetadata, "thoughtsTokenCount") ?? 0;
        return new TokenUsage
        {
            InputTokens = (prompt ?? 0) + toolPrompt,
            CachedInputTokens = UsageJson.Count(usageMetadata, "cachedContentTokenCount") ?? 0,
            OutputTokens = (candidates ?? 0) + thoughts,
            ReasoningTokens = thoughts,
        }.Validate();
    }
}
