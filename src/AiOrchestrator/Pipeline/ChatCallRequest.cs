using AiOrchestrator.Tokens;
using Microsoft.Extensions.AI;

namespace AiOrchestrator.Pipeline;

/// <summary>
/// A chat call's input as the stages need it: the bound counts the UTF-8 bytes of everything the provider will read
/// (instructions, messages, function calls and results, tool definitions, the response-format schema) plus the
/// framing allowances of the token counter, so it is never below the tokens the provider counts.
/// </summary>
internal sealed class ChatCallRequest(IEnumerable<ChatMessage> messages, ChatOptions? options, ITokenCounter tokenCounter) : AiCallRequest
{
    private long _bytes = -1;

    public IEnumerable<ChatMessage> Messages => messages;

    public ChatOptions? Options => options;

    /// <summary>The same bound for every family: a token is at least one byte.</summary>
    public override long InputBound(TokenizerFamily family)
    {
        if (_bytes < 0)
        {
            _bytes = (long)Math.Ceiling(ChatTokenCounting.Count(messages, options, default(Utf8ByteMeasure)));
        }

        return _bytes;
    }

    public override long CountInputTokens(string modelId) => tokenCounter.CountInputTokens(messages, options, modelId);

    /// <summary>Estimates the output tokens of <paramref name="text"/>.</summary>
    public long CountOutputTokens(string text, string modelId) => tokenCounter.CountOutputTokens(text, modelId);
}
