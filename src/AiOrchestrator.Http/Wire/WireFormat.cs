namespace AiOrchestrator.Http.Wire;

/// <summary>The request and response format of an LLM endpoint.</summary>
internal enum WireFormat
{
    /// <summary>OpenAI Chat Completions (<c>POST …/chat/completions</c>), also spoken by most OpenAI-compatible servers.</summary>
    OpenAIChat,

    /// <summary>OpenAI Responses (<c>POST …/responses</c>).</summary>
    OpenAIResponses,

    /// <summary>Anthropic Messages (<c>POST …/messages</c>).</summary>
    AnthropicMessages,
}
