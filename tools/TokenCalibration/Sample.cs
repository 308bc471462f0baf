using AiOrchestrator.Tokens;

namespace TokenCalibration;

/// <summary>A calibration text measured: its features and exact counts in both encodings.</summary>
internal sealed class Sample
{
    public Sample(CalibrationText text, int index)
    {
        Kind = text.Kind;
        Text = text.Text;
        Length = text.Text.Length;
        Features = TextFeatures.Measure(text.Text);
        Vector = ToVector(Features);
        O200k = ExactTokenCounter.CountBaseTokens(text.Text, BaseEncoding.O200k);
        Cl100k = ExactTokenCounter.CountBaseTokens(text.Text, BaseEncoding.Cl100k);
        // Take the high bits of a multiplicative hash: kinds are generated interleaved, so index % 3 would put
        // whole kinds on one side.
        IsHoldout = (unchecked((uint)index * 2654435761u) >> 16) % 3 == 0;
    }

    public string Kind { get; }

    public string Text { get; }

    public int Length { get; }

    public TextFeatures Features { get; }

    public double[] Vector { get; }

    public int O200k { get; }

    public int Cl100k { get; }

    /// <summary>One text in three is kept out of the fit, to report how the bound does on texts it did not see.</summary>
    public bool IsHoldout { get; }

    public int Exact(BaseEncoding encoding) => encoding == BaseEncoding.O200k ? O200k : Cl100k;

    /// <summary>The feature vector in the order of <see cref="EstimateCoefficients"/>' parameters (constant first).</summary>
    public static double[] ToVector(TextFeatures f) =>
    [
        1, f.Letters, f.LetterRuns, f.CaseChanges, f.Digits, f.DigitRuns, f.Spaces, f.Breaks, f.Punctuation,
        f.TwoByte, f.OtherScripts, f.Cjk, f.Symbols, f.SurrogatePairs,
    ];

    public static double[] ToArray(EstimateCoefficients c) =>
    [
        c.Constant, c.Letters, c.LetterRuns, c.CaseChanges, c.Digits, c.DigitRuns, c.Spaces, c.Breaks, c.Punctuation,
        c.TwoByte, c.OtherScripts, c.Cjk, c.Symbols, c.SurrogatePairs,
    ];

    public static readonly string[] Names =
    [
        "Constant", "Letters", "LetterRuns", "CaseChanges", "Digits", "DigitRuns", "Spaces", "Breaks", "Punctuation",
        "TwoByte", "OtherScripts", "Cjk", "Symbols", "SurrogatePairs",
    ];
}
