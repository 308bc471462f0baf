namespace AiOrchestrator.Tokens;

/// <summary>
/// Tokens added per character of each class (and per text) by the conservative linear bound of
/// <see cref="TokenEstimator"/>. Fitted by tools/TokenCalibration against the exact tokenizers.
/// </summary>
internal sealed record EstimateCoefficients(
    double Constant,
    double Letters,
    double LetterRuns,
    double Digits,
    double DigitRuns,
    double Spaces,
    double Breaks,
    double Punctuation,
    double TwoByte,
    double OtherScripts,
    double Cjk,
    double Symbols,
    double SurrogatePairs)
{
    /// <summary>The bound, before rounding up, for a text with these features (0 for an empty text).</summary>
    public double Apply(in TextFeatures f) => f.Length == 0 ? 0 :
        Constant
        + (Letters * f.Letters) + (LetterRuns * f.LetterRuns)
        + (Digits * f.Digits) + (DigitRuns * f.DigitRuns)
        + (Spaces * f.Spaces) + (Breaks * f.Breaks) + (Punctuation * f.Punctuation)
        + (TwoByte * f.TwoByte) + (OtherScripts * f.OtherScripts) + (Cjk * f.Cjk)
        + (Symbols * f.Symbols) + (SurrogatePairs * f.SurrogatePairs);

    /// <summary>The coefficients shipped for a base encoding.</summary>
    public static EstimateCoefficients For(BaseEncoding encoding) => encoding == BaseEncoding.O200k ? O200k : Cl100k;

    // BEGIN FITTED COEFFICIENTS (tools/TokenCalibration --fit prints these)
    internal static readonly EstimateCoefficients O200k = new(
        Constant: 1, Letters: 0.25, LetterRuns: 0.5, Digits: 0.34, DigitRuns: 0.67, Spaces: 0.1, Breaks: 1,
        Punctuation: 1, TwoByte: 1, OtherScripts: 1.5, Cjk: 1.5, Symbols: 2, SurrogatePairs: 3);

    internal static readonly EstimateCoefficients Cl100k = new(
        Constant: 1, Letters: 0.25, LetterRuns: 0.5, Digits: 0.34, DigitRuns: 0.67, Spaces: 0.1, Breaks: 1,
        Punctuation: 1, TwoByte: 1, OtherScripts: 3, Cjk: 2, Symbols: 2, SurrogatePairs: 4);

    // END FITTED COEFFICIENTS
}
