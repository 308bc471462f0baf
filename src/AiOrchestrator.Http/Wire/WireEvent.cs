using AiOrchestrator.Tokens;

namespace AiOrchestrator.Http.Wire;

/// <summary>The kind of a JSON body or stream event, from its top-level <c>type</c> field.</summary>
internal enum WireEventKind
{
    /// <summary>No <c>type</c> field (Chat Completions bodies and chunks).</summary>
    None,

    /// <summary>A type the handler does not act on.</summary>
    Other,

    /// <summary>An <c>error</c> event (Anthropic, Responses).</summary>
    Error,

    /// <summary>A Responses event whose type ends in <c>.delta</c>: new output.</summary>
    ResponseDelta,

    /// <summary><c>response.completed</c>: the final Responses event, with usage.</summary>
    ResponseCompleted,

    /// <summary><c>response.incomplete</c>: the response stopped early (for example at max_output_tokens), with usage.</summary>
    ResponseIncomplete,

    /// <summary><c>response.failed</c>.</summary>
    ResponseFailed,

    /// <summary>Anthropic <c>message_start</c>: model and input usage.</summary>
    MessageStart,

    /// <summary>Anthropic <c>content_block_delta</c>: new output.</summary>
    ContentBlockDelta,

    /// <summary>Anthropic <c>message_delta</c>: cumulative usage.</summary>
    MessageDelta,

    /// <summary>Anthropic <c>message_stop</c>: the end of the message.</summary>
    MessageStop,
}

/// <summary>What one JSON body or stream event says that metering needs.</summary>
internal struct WireEvent
{
    /// <summary>The kind from the <c>type</c> field.</summary>
    public WireEventKind Kind;

    /// <summary>Where the usage object starts in the JSON, or -1.</summary>
    public int UsageStart;

    /// <summary>The usage object's length in bytes.</summary>
    public int UsageLength;

    /// <summary>The model the provider names, when asked for and present.</summary>
    public string? Model;

    /// <summary>The output text (message content, deltas, tool arguments, reasoning) the JSON carries.</summary>
    public TextTally Output;

    /// <summary>True when the JSON has a top-level <c>error</c> object.</summary>
    public bool HasError;

    /// <summary>True when a usage object was found.</summary>
    public readonly bool HasUsage => UsageStart >= 0;
}
