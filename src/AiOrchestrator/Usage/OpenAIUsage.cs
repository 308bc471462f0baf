using System.Text.Json;

namespace AiOrchestrator;

/// <summary>
/// Reads the <c>usage</c> object of OpenAI's Chat Completions and Responses APIs (and of OpenAI-compatible servers
/// such as vLLM, Ollama, Groq, Mistral or DeepSeek) into a <see cref="TokenUsage"/>.
/// </summary>
/// <remarks>
/// OpenAI counts cached tokens inside the prompt tokens and reasoning tokens inside the completion tokens, which is
/// the convention <see cref="TokenUsage"/> uses, so the counts are taken as they are. DeepSeek's
/// <c>prompt_cache_hit_tokens</c> is read as cached input when <c>prompt_tokens_details</c> is absent.
/// </remarks>
public static class OpenAIUsage
{
    /// <summary>Parses a usage object given as UTF-8 JSON.</summary>
    /// <exception cref="InvalidUsageException">The JSON is malformed, not an object, or holds impossible counts.</exception>
    public static TokenUsage Parse(ReadOnlySpan<byte> utf8Json)
        => UsageJson.Parse(utf8Json, "OpenAI usage", static usage => Parse(usage));

    /// <summary>Parses a usage object.</summary>
    /// <exception cref="InvalidUsageException">The element is not an object or holds impossible counts.</exception>
    public static TokenUsage Parse(JsonElement usage)
    {
        UsageJson.RequireObject(usage, "OpenAI usage");

        // Chat Completions names, then the Responses API names.
        var input = UsageJson.Count(usage, "prompt_tokens") ?? UsageJson.Count(usage, "input_tokens");
        var output = UsageJson.Count(usage, "completion_tokens") ?? UsageJson.Count(usage, "output_tokens");
        if (input is null && output is null)
        {
            throw new InvalidUsageException("OpenAI usage has neither prompt_tokens/input_tokens nor completion_tokens/output_tokens.");
        }

        var inputDetails = UsageJson.Object(usage, "prompt_tokens_details") ?? UsageJson.Object(usage, "input_tokens_details");
        var outputDetails = UsageJson.Object(usage, "completion_tokens_details") ?? UsageJson.Object(usage, "output_tokens_details");

        long? cached = inputDetails is { } id ? UsageJson.Count(id, "cached_tokens") : null;
        cached ??= UsageJson.Count(usage, "prompt_cache_hit_tokens");

        return new TokenUsage
        {
            InputTokens = input ?? 0,
            CachedInputTokens = cached ?? 0,
            InputAudioTokens = inputDetails is { } ia ? UsageJson.Count(ia, "audio_tokens") ?? 0 : 0,
            OutputTokens = output ?? 0,
            ReasoningTokens = outputDetails is { } r ? UsageJson.Count(r, "reasoning_tokens") ?? 0 : 0,
            OutputAudioTokens = outputDetails is { } oa ? UsageJson.Count(oa, "audio_tokens") ?? 0 : 0,
        }.Validate();
    }
}
