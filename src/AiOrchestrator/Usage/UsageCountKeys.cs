namespace AiOrchestrator;

/// <summary>
/// The <c>UsageDetails.AdditionalCounts</c> keys known to carry each part of usage, as M.E.AI adapters name them.
/// </summary>
internal static class UsageCountKeys
{
    public static readonly string[] CachedInput = ["CachedInputTokenCount", "InputTokenDetails.CachedTokenCount", "cache_read_input_tokens", "CacheReadInputTokens"];
    public static readonly string[] Reasoning = ["ReasoningTokenCount", "OutputTokenDetails.ReasoningTokenCount", "reasoning_tokens"];
    public static readonly string[] InputAudio = ["InputTokenDetails.AudioTokenCount", "input_audio_tokens"];
    public static readonly string[] OutputAudio = ["OutputTokenDetails.AudioTokenCount", "output_audio_tokens"];
    public static readonly string[] CacheWrite = ["cache_creation_input_tokens", "CacheCreationInputTokens", "CacheWriteInputTokenCount"];
    public static readonly string[] CacheWrite5m = ["ephemeral_5m_input_tokens", "CacheCreation.Ephemeral5mInputTokens"];
    public static readonly string[] CacheWrite1h = ["ephemeral_1h_input_tokens", "CacheCreation.Ephemeral1hInputTokens"];
}
