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

    /// <summary>The slot of this measure in per-tool caches (one per encoding and mode).</summary>
    int CacheSlot { get; }
}

/// <summary>The cheap linear bound.</summary>
internal readonly struct EstimateMeasure(BaseEncoding encoding) : ITextMeasure
{
    public BaseEncoding Encoding => encoding;

    public bool IsExact => false;

    public int CacheSlot => (int)encoding * 2;

    public double Measure(ReadOnlySpan<char> text) => TokenEstimator.EstimateBaseTokens(text, encoding);
}

/// <summary>The exact tiktoken count.</summary>
internal readonly struct ExactMeasure(BaseEncoding encoding) : ITextMeasure
{
    public BaseEncoding Encoding => encoding;

    public bool IsExact => true;

    public int CacheSlot => ((int)encoding * 2) + 1;

    public double Measure(ReadOnlySpan<char> text) => ExactTokenCounter.CountBaseTokens(text, encoding);
}

/// <summary>
/// UTF-8 bytes: an upper bound of the tokens of any byte-level or byte-fallback tokenizer (a token is at least one
/// byte), which costs nanoseconds. The budget stage reserves for it while wallets have ample headroom.
/// </summary>
internal readonly struct Utf8ByteMeasure : ITextMeasure
{
    public BaseEncoding Encoding => BaseEncoding.O200k;

    public bool IsExact => false;

    public int CacheSlot => 4;

    public double Measure(ReadOnlySpan<char> text) => System.Text.Encoding.UTF8.GetByteCount(text);
}
