namespace AiOrchestrator;

/// <summary>
/// The <c>UsageDetails.AdditionalCounts</c> keys that carry each part of usage, as the M.E.AI adapters name them
/// (checked against the OpenAI and Anthropic clients by the provider wire tests).
/// </summary>
internal static class UsageCountKeys
{
    public static readonly string[] CachedInput = ["InputTokenDetails.CachedTokenCount", "CachedInputTokenCount"];
    public static readonly string[] Reasoning = ["OutputTokenDetails.ReasoningTokenCount", "ReasoningTokenCount"];
    public static readonly string[] InputAudio = ["InputTokenDetails.AudioTokenCount"];
    public static readonly string[] OutputAudio = ["OutputTokenDetails.AudioTokenCount"];
    public static readonly string[] CacheWrite = ["CacheCreationInputTokens"];
}
