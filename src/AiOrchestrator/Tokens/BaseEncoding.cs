namespace AiOrchestrator.Tokens;

/// <summary>The offline tokenizer a family is counted with.</summary>
internal enum BaseEncoding
{
    /// <summary>o200k_base.</summary>
    O200k = 0,

    /// <summary>cl100k_base.</summary>
    Cl100k = 1,
}
