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
        Constant: 2.361, Letters: 0.1641, LetterRuns: 0.6219, CaseChanges: 1.7117, Digits: 0.3615, DigitRuns: 1.3187, Spaces: 0.2188, Breaks: 1.4046, Punctuation: 0.3393, TwoByte: 0.7829, OtherScripts: 0.4137, Cjk: 0.8267, Symbols: 1.1785, SurrogatePairs: 1.9734);

    internal static readonly EstimateCoefficients Cl100k = new(
        Constant: 3.7974, Letters: 0.1531, LetterRuns: 0.464, CaseChanges: 1.8479, Digits: 0.313, DigitRuns: 1.5304, Spaces: 0.2267, Breaks: 1.3016, Punctuation: 0.3321, TwoByte: 1.8742, OtherScripts: 2.1569, Cjk: 1.2826, Symbols: 1.6513, SurrogatePairs: 2.8498);

    // END FITTED COEFFICIENTS
}
