namespace AiOrchestrator.Tokens;

/// <summary>
/// Tokens added per character of each class (and per text) by the conservative linear bound of
/// <see cref="TokenEstimator"/>. Fitted by tools/TokenCalibration against the exact tokenizers.
/// </summary>
internal sealed record EstimateCoefficients(
    double Constant,
    double Letters,
    double LetterRuns,
    double CaseChanges,
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
        + (Letters * f.Letters) + (LetterRuns * f.LetterRuns) + (CaseChanges * f.CaseChanges)
        + (Digits * f.Digits) + (DigitRuns * f.DigitRuns)
        + (Spaces * f.Spaces) + (Breaks * f.Breaks) + (Punctuation * f.Punctuation)
        + (TwoByte * f.TwoByte) + (OtherScripts * f.OtherScripts) + (Cjk * f.Cjk)
        + (Symbols * f.Symbols) + (SurrogatePairs * f.SurrogatePairs);

    /// <summary>The coefficients shipped for a base encoding.</summary>
    public static EstimateCoefficients For(BaseEncoding encoding) => encoding == BaseEncoding.O200k ? O200k : Cl100k;

    // BEGIN FITTED COEFFICIENTS (tools/TokenCalibration --fit prints these)
    internal static readonly EstimateCoefficients O200k = new(
        Constant: 3.5012, Letters: 0.2132, LetterRuns: 0.3772, CaseChanges: 1.4004, Digits: 0.3121, DigitRuns: 1.7013, Spaces: 0.0148, Breaks: 0.9872, Punctuation: 0.3684, TwoByte: 1.1929, OtherScripts: 0.4105, Cjk: 0.7788, Symbols: 0.9438, SurrogatePairs: 1.9841);

    internal static readonly EstimateCoefficients Cl100k = new(
        Constant: 3.7413, Letters: 0.1834, LetterRuns: 0.5043, CaseChanges: 1.6186, Digits: 0.3059, DigitRuns: 1.7542, Spaces: 0.0298, Breaks: 1.2457, Punctuation: 0.3199, TwoByte: 1.6037, OtherScripts: 2.2319, Cjk: 1.31, Symbols: 1.4957, SurrogatePairs: 2.956);

    // END FITTED COEFFICIENTS
}
