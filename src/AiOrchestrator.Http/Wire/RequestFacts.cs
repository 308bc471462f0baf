using AiOrchestrator.Tokens;

namespace AiOrchestrator.Http.Wire;

/// <summary>What the handler needs to know about an LLM request body before sending it.</summary>
/// <param name="Model">The <c>model</c> field, or null.</param>
/// <param name="MaxOutputTokens">The largest of <c>max_tokens</c>, <c>max_completion_tokens</c> and <c>max_output_tokens</c>, or null when none is set.</param>
/// <param name="Stream">True when the body asks for a stream.</param>
/// <param name="Text">The text of every string in the body except the model and attachments.</param>
/// <param name="Items">The objects inside the body's top-level arrays (messages, input items, tools): each adds framing.</param>
/// <param name="Attachments">Images and files (URLs, base64 data, file ids): each counts as a fixed allowance.</param>
/// <param name="TextBytes">The bytes of those strings as sent (escaped JSON is never shorter than its UTF-8 text).</param>
internal readonly record struct RequestFacts(string? Model, long? MaxOutputTokens, bool Stream, TextTally Text, int Items, int Attachments, long TextBytes)
{
    /// <summary>Tokens priming the reply, once per request.</summary>
    public const int ReplyPriming = 3;

    /// <summary>Framing per message, input item or tool (role, separators, names).</summary>
    public const int PerItem = 4;

    /// <summary>The largest high-detail image costs about 1,450 tokens on OpenAI models and 1,600 on Claude.</summary>
    public const int PerAttachment = 1600;

    /// <summary>A conservative estimate of the request's input tokens for the model's tokenizer family.</summary>
    public long InputTokens(TokenizerFamily family)
        => ReplyPriming + Text.Tokens(family) + ((long)Items * PerItem) + ((long)Attachments * PerAttachment);

    /// <summary>An upper bound of the request's input tokens for any tokenizer: a token is at least one byte.</summary>
    public long InputBound
        => ReplyPriming + TextBytes + ((long)Items * PerItem) + ((long)Attachments * PerAttachment);
}
