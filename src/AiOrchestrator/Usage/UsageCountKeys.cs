namespace AiOrchestrator;

/// <summary>
/// The <c>UsageDetails.AdditionalCounts</c> keys that carry each part of usage, as the M.E.AI adapters name them
/// (checked against the OpenAI and Anthropic clients by the provider wire tests).
/// </summary>
/// <remarks>
/// Keys read and ignored on purpose: <c>InputTokenDetails.TextTokenCount</c> (text needs no count of its own),
/// <c>OutputTokenDetails.AcceptedPredictionTokenCount</c> and <c>RejectedPredictionTokenCount</c> (predicted-output
/// tokens are already inside the output count and are billed as output), <c>WebFetchRequests</c> (Anthropic's web
/// fetch has no charge of its own and no unit in the price feed's registry).
/// </remarks>
internal static class UsageCountKeys
{
    /// <summary>OpenAI (the Realtime and older adapters) and generic names of the cache reads.</summary>
    public static readonly string[] CachedInput = ["InputTokenDetails.CachedTokenCount", "CachedInputTokenCount"];

    /// <summary>OpenAI (the Realtime and older adapters) and generic names of the reasoning tokens.</summary>
    public static readonly string[] Reasoning = ["OutputTokenDetails.ReasoningTokenCount", "ReasoningTokenCount"];

    /// <summary>OpenAI Chat Completions and Realtime: <c>prompt_tokens_details.audio_tokens</c>.</summary>
    public static readonly string[] InputAudio = ["InputTokenDetails.AudioTokenCount"];

    /// <summary>OpenAI Realtime and Images: <c>input_tokens_details.image_tokens</c>.</summary>
    public static readonly string[] InputImage = ["InputTokenDetails.ImageTokenCount"];

    /// <summary>OpenAI Chat Completions and Realtime: <c>completion_tokens_details.audio_tokens</c>.</summary>
    public static readonly string[] OutputAudio = ["OutputTokenDetails.AudioTokenCount"];

    /// <summary>Anthropic: <c>cache_creation_input_tokens</c> (the 5-minute and 1-hour writes together).</summary>
    public static readonly string[] CacheWrite = ["CacheCreationInputTokens"];

    /// <summary>Anthropic: <c>server_tool_use.web_search_requests</c>.</summary>
    public static readonly string[] WebSearches = ["WebSearchRequests"];
}
