using System.Buffers;
using System.Text.Json;
using System.Diagnostics.CodeAnalysis;
using AiOrchestrator.Pipeline;

namespace AiOrchestrator.Tokens;

/// <summary>
/// Character-class counts summed over many pieces of text (a request's strings, a stream's deltas), so the token
/// estimate is taken once over the whole text: estimating each one-token delta on its own would add the estimator's
/// per-text constant every time and count a stream several times over.
/// </summary>
[Experimental(AiCall.ExperimentalDiagnosticId)]
public struct TextTally
{
    private const int StackChars = 256;

    private TextFeatures _features;

    /// <summary>True when no text was added.</summary>
    public readonly bool IsEmpty => _features.Length == 0;

    /// <summary>Adds a piece of text.</summary>
    public void Add(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            return;
        }

        Add(TextFeatures.Measure(text));
    }

    /// <summary>Adds everything another tally holds.</summary>
    public void Add(in TextTally other) => Add(other._features);

    /// <summary>Adds the JSON string the reader is on, unescaped, without allocating for short strings.</summary>
    public void AddString(ref Utf8JsonReader reader)
    {
        var length = reader.HasValueSequence ? checked((int)reader.ValueSequence.Length) : reader.ValueSpan.Length;
        if (length == 0)
        {
            return;
        }

        // A UTF-8 or escaped form is never shorter (in bytes) than its UTF-16 form (in chars).
        if (length <= StackChars)
        {
            Span<char> chars = stackalloc char[StackChars];
            Add(chars[..reader.CopyString(chars)]);
            return;
        }

        var rented = ArrayPool<char>.Shared.Rent(length);
        try
        {
            Add(rented.AsSpan(0, reader.CopyString(rented)));
        }
        finally
        {
            ArrayPool<char>.Shared.Return(rented);
        }
    }

    /// <summary>The conservative token estimate of all the text added, for a model's tokenizer family.</summary>
    public readonly long Tokens(TokenizerFamily family)
        => IsEmpty ? 0 : TokenMath.Scale(
            EstimateCoefficients.For(TokenizerFamilies.BaseEncodingOf(family)).Apply(_features),
            TokenizerFamilies.SafetyFactorOf(family));

    private void Add(in TextFeatures f)
    {
        _features.Length += f.Length;
        _features.Letters += f.Letters;
        _features.LetterRuns += f.LetterRuns;
        _features.CaseChanges += f.CaseChanges;
        _features.Digits += f.Digits;
        _features.DigitRuns += f.DigitRuns;
        _features.Spaces += f.Spaces;
        _features.Breaks += f.Breaks;
        _features.TwoByte += f.TwoByte;
        _features.OtherScripts += f.OtherScripts;
        _features.Cjk += f.Cjk;
        _features.Symbols += f.Symbols;
        _features.SurrogatePairs += f.SurrogatePairs;
        _features.LowSurrogates += f.LowSurrogates;
    }
}
