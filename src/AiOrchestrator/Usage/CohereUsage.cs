using System.Text.Json;

namespace AiOrchestrator;

/// <summary>
/// Reads the <c>usage</c> object of Cohere's Chat API v2 (also the <c>meta</c> object of v1, which has the same shape,
/// and the usage of a v2 stream's <c>message-end</c> event) into a <see cref="TokenUsage"/>.
/// </summary>
/// <remarks>
/// <para>Cohere reports two sets of counts: <c>billed_units</c> (what is charged) and <c>tokens</c> (every token the
/// model saw, including the prompt template it adds). The billed units are read when present, each count falling back
/// to <c>tokens</c> when the billed one is missing. <c>cached_tokens</c> counts prompt tokens served from Cohere's cache;
/// it is measured against <c>tokens</c>, so it is capped at the billed input. <c>billed_units.search_units</c> and
/// <c>classifications</c> belong to other endpoints (rerank, classify) and are not token counts: they are ignored.</para>
/// </remarks>
public static class CohereUsage
{
    /// <summary>Parses a usage object given as UTF-8 JSON.</summary>
    /// <exception cref="InvalidUsageException">The JSON is malformed, not an object, or holds impossible counts.</exception>
    public static TokenUsage Parse(ReadOnlySpan<byte> utf8Json)
        => UsageJson.Parse(utf8Json, "Cohere usage", static usage => Parse(usage));

    /// <summary>Parses a usage object.</summary>
    /// <exception cref="InvalidUsageException">The element is not an object or holds impossible counts.</exception>
    public static TokenUsage Parse(JsonElement usage)
    {
        UsageJson.RequireObject(usage, "Cohere usage");
        var billed = UsageJson.Object(usage, "billed_units");
        var tokens = UsageJson.Object(usage, "tokens");
        var input = UsageJson.Count(billed, "input_tokens") ?? UsageJson.Count(tokens, "input_tokens");
        var output = UsageJson.Count(billed, "output_tokens") ?? UsageJson.Count(tokens, "output_tokens");
        if (input is null && output is null)
        {
            throw new InvalidUsageException(
                "Cohere usage has neither billed_units.input_tokens/output_tokens nor tokens.input_tokens/output_tokens.");
        }

        var cached = UsageJson.Count(usage, "cached_tokens") ?? 0;
        return new TokenUsage
        {
            InputTokens = input ?? 0,
            CachedInputTokens = Math.Min(cached, input ?? 0),
            OutputTokens = output ?? 0,
        }.Validate();
    }
}
