namespace AiOrchestrator.Tokens;

/// <summary>
/// The tokenizer a model uses, as far as token counting is concerned.
/// </summary>
/// <remarks>
/// <see cref="O200k"/> and <see cref="Cl100k"/> are counted exactly by the OpenAI tokenizers that ship with the
/// package. The other families have no offline tokenizer: they are counted with one of those two and multiplied by a
/// safety factor, so that budgets are reserved on the high side (see docs/token-estimation.md).
/// </remarks>
public enum TokenizerFamily
{
    /// <summary>A model this library does not recognise; counted like the most token-hungry known family.</summary>
    Unknown = 0,

    /// <summary>OpenAI's o200k_base encoding: GPT-4o, GPT-4.1, GPT-5, o1, o3, o4 and later models.</summary>
    O200k,

    /// <summary>OpenAI's cl100k_base encoding: GPT-4, GPT-3.5 Turbo and the text-embedding-3 models.</summary>
    Cl100k,

    /// <summary>Anthropic Claude models.</summary>
    Claude,

    /// <summary>Google Gemini and Gemma models.</summary>
    Gemini,

    /// <summary>Meta Llama models.</summary>
    Llama,

    /// <summary>Mistral AI models (Mistral, Mixtral, Codestral, Ministral, Pixtral and others).</summary>
    Mistral,

    /// <summary>DeepSeek models.</summary>
    DeepSeek,

    /// <summary>Alibaba Qwen models.</summary>
    Qwen,
}
