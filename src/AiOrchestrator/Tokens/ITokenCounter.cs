using Microsoft.Extensions.AI;

namespace AiOrchestrator.Tokens;

/// <summary>Counts the tokens of a chat request before it is sent, and of a response that reported no usage.</summary>
/// <remarks>Get one with <see cref="TokenCounter.For(TokenCountingMode)"/>. Implementations are thread-safe.</remarks>
public interface ITokenCounter
{
    /// <summary>The way this counter counts input tokens.</summary>
    TokenCountingMode Mode { get; }

    /// <summary>Counts the input tokens of a request, including message framing and tool definitions.</summary>
    /// <param name="messages">The request's messages.</param>
    /// <param name="options">The request's options, if any.</param>
    /// <param name="modelId">The model that will be called; picks the tokenizer family.</param>
    int CountInputTokens(IEnumerable<ChatMessage> messages, ChatOptions? options, string? modelId);

    /// <summary>
    /// Counts the tokens of a response text that came without usage. Always uses the tokenizer: the count settles
    /// a cost, and it is off the pre-call path. Mark the resulting usage as estimated.
    /// </summary>
    /// <param name="text">The response text.</param>
    /// <param name="modelId">The model that wrote it.</param>
    int CountOutputTokens(string text, string? modelId);
}
