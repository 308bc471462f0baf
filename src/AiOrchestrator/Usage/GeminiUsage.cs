using System.Text.Json;

namespace AiOrchestrator;

/// <summary>
/// Reads the <c>usageMetadata</c> object of Google's Gemini API (AI Studio and Vertex AI, and the Live API) into a
/// <see cref="TokenUsage"/>.
/// </summary>
/// <remarks>
/// <para>Gemini counts cached content inside <c>promptTokenCount</c> (<c>cachedContentTokenCount</c> is a part of it),
/// and reports tool-use prompt tokens (<c>toolUsePromptTokenCount</c>) and thinking tokens (<c>thoughtsTokenCount</c>)
/// apart from the prompt and the candidates; they are billed as input and output, so they are added to them.</para>
/// <para>The modality lists give the audio, image and video parts: <c>promptTokensDetails</c> and
/// <c>toolUsePromptTokensDetails</c> of the input, <c>cacheTokensDetails</c> of the cache reads (so cached audio is
/// counted both as cached and as audio input, as the prompt details include it), <c>candidatesTokensDetails</c> (or
/// the Live API's <c>responseTokensDetails</c>) of the output. <c>DOCUMENT</c> counts as image.</para>
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

        // generateContent names the output candidates; the Live API names it the response.
        var candidates = UsageJson.Count(usageMetadata, "candidatesTokenCount") ?? UsageJson.Count(usageMetadata, "responseTokenCount");
        if (prompt is null && candidates is null)
        {
            throw new InvalidUsageException("Gemini usageMetadata has neither promptTokenCount nor candidatesTokenCount.");
        }

        var toolPrompt = UsageJson.Count(usageMetadata, "toolUsePromptTokenCount") ?? 0;
        var thoughts = UsageJson.Count(usageMetadata, "thoughtsTokenCount") ?? 0;
        var input = ModalityCounts.Read(usageMetadata, "promptTokensDetails") + ModalityCounts.Read(usageMetadata, "toolUsePromptTokensDetails");
        var cache = ModalityCounts.Read(usageMetadata, "cacheTokensDetails");
        var output = usageMetadata.TryGetProperty("candidatesTokensDetails", out _)
            ? ModalityCounts.Read(usageMetadata, "candidatesTokensDetails")
            : ModalityCounts.Read(usageMetadata, "responseTokensDetails");
        return new TokenUsage
        {
            InputTokens = (prompt ?? 0) + toolPrompt,
            CachedInputTokens = UsageJson.Count(usageMetadata, "cachedContentTokenCount") ?? 0,
            InputAudioTokens = input.Audio,
            CachedAudioInputTokens = cache.Audio,
            InputImageTokens = input.Image,
            CachedImageInputTokens = cache.Image,
            InputVideoTokens = input.Video,
            CachedVideoInputTokens = cache.Video,
            OutputTokens = (candidates ?? 0) + thoughts,
            ReasoningTokens = thoughts,
            OutputAudioTokens = output.Audio,
            OutputImageTokens = output.Image,
            OutputVideoTokens = output.Video,
        }.Validate();
    }
}
