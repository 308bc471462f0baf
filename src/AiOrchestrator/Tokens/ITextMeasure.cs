namespace AiOrchestrator.Tokens;

/// <summary>Counts the tokens of one piece of text in a base encoding (estimated or exact).</summary>
internal interface ITextMeasure
{
    /// <summary>The base encoding the counts are in.</summary>
    BaseEncoding Encoding { get; }

    /// <summary>True for the exact tokenizer; selects the per-tool cache slot.</summary>
    bool IsExact { get; }

    /// <summary>Tokens of <paramref name="text"/>, before any family factor.</summary>
    double Measure(ReadOnlySpan<char> text);
}

/// <summary>The cheap linear bound.</summary>
internal readonly struct EstimateMeasure(BaseEncoding encoding) : ITextMeasure
{
    public BaseEncoding Encoding => encoding;

    public bool IsExact => false;

    public double Measure(ReadOnlySpan<char> text) => TokenEstimator.EstimateBaseTokens(text, encoding);
}

/// <summary>The exact tiktoken count.</summary>
internal readonly struct ExactMeasure(BaseEncoding encoding) : ITextMeasure
{
    public BaseEncoding Encoding => encoding;

    public bool IsExact => true;

    public double Measure(ReadOnlySpan<char> text) => ExactTokenCounter.CountBaseTokens(text, encoding);
}
