namespace AiOrchestrator.Http;

/// <summary>Options of the AiOrchestrator handlers of one named <see cref="HttpClient"/>.</summary>
public sealed class AiHttpHandlerOptions
{
    /// <summary>
    /// The output tokens a call is assumed to produce when its request sets no <c>max_tokens</c>,
    /// <c>max_completion_tokens</c> or <c>max_output_tokens</c>: the budget reservation is sized for this many, and a
    /// stream whose estimated cost runs past that reservation is cut off. 4,096 by default.
    /// </summary>
    public int DefaultMaxOutputTokens { get; set; } = 4096;

    /// <summary>
    /// The provider name to record and price calls with (for example <c>groq</c> or <c>deepseek</c>). Null, the
    /// default, names it from the host: <c>api.openai.com</c> is <c>openai</c>, <c>api.anthropic.com</c> is
    /// <c>anthropic</c>, an Azure OpenAI host is <c>azure.ai.openai</c>, and any other host is
    /// <c>openai-compatible</c> or <c>anthropic-compatible</c>, priced by model id alone.
    /// </summary>
    public string? Provider { get; set; }
}
