namespace AiOrchestrator.Http;

/// <summary>Options of the AiOrchestrator handlers of one named <see cref="HttpClient"/>.</summary>
public sealed class AiHttpHandlerOptions
{
    /// <summary>
    /// The output cap a budgeted request is reserved for and sent with when its body sets no <c>max_tokens</c>,
    /// <c>max_completion_tokens</c> or <c>max_output_tokens</c>. Null, the default, uses the budget stage's
    /// <c>AiOrchestrator:Budgets:DefaultMaxOutputTokens</c> (4,096 unless set), as the <c>IChatClient</c> pipeline does.
    /// </summary>
    public int? DefaultMaxOutputTokens { get; set; }

    /// <summary>
    /// The provider name to record and price calls with (for example <c>groq</c> or <c>deepseek</c>). Null, the
    /// default, names it from the host: <c>api.openai.com</c> is <c>openai</c>, <c>api.anthropic.com</c> is
    /// <c>anthropic</c>, an Azure OpenAI host is <c>azure.ai.openai</c>, and any other host is
    /// <c>openai-compatible</c> or <c>anthropic-compatible</c>, priced by model id alone.
    /// </summary>
    public string? Provider { get; set; }
}
