using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace AiOrchestrator.Tokens;

/// <summary>
/// Character-class counts of a text, from which <see cref="TokenEstimator"/> bounds its token count.
/// Measured in one pass over the UTF-16 code units, vectorised over ASCII.
/// </summary>
internal struct TextFeatures
{
    // Each accumulator lane grows by at most one per iteration; flush long before a 16-bit lane overflows.
    private const int ChunkIterations = 8192;

    /// <summary>UTF-16 code units.</summary>
    public long Length;

    /// <summary>ASCII letters.</summary>
    public long Letters;

    /// <summary>ASCII letters not preceded by an ASCII letter (starts of letter runs: words, identifiers).</summary>
    public long LetterRuns;

    /// <summary>
    /// ASCII upper-case letters right after a lower-case one ("camelCase", "aGVsbG8"): rare in prose, frequent in
    /// identifiers and random strings (keys, base64), which split into many more tokens per letter.
    /// </summary>
    public long CaseChanges;

    /// <summary>ASCII digits.</summary>
    public long Digits;

    /// <summary>ASCII digits not preceded by an ASCII digit (starts of numbers).</summary>
    public long DigitRuns;

    /// <summary>Spaces (U+0020).</summary>
    public long Spaces;

    /// <summary>Control characters below U+0020: line breaks, tabs.</summary>
    public long Breaks;

    /// <summary>Characters U+0080 to U+07FF (two UTF-8 bytes): accented Latin, Greek, Cyrillic, Hebrew, Arabic.</summary>
    public long TwoByte;

    /// <summary>Characters U+0800 to U+1FFF: Indic, Thai, Georgian, Ethiopic and other scripts.</summary>
    public long OtherScripts;

    /// <summary>CJK ideographs, kana, Hangul syllables and full-width forms.</summary>
    public long Cjk;

    /// <summary>Other characters of the basic plane: typographic punctuation, symbols, arrows, BMP emoji.</summary>
    public long Symbols;

    /// <summary>Surrogate pairs (characters beyond the basic plane: most emoji, rare ideographs), counted once each.</summary>
    public long SurrogatePairs;

    /// <summary>Low surrogates; with <see cref="SurrogatePairs"/> they make up every surrogate code unit.</summary>
    public long LowSurrogates;

    /// <summary>ASCII punctuation and symbols (everything ASCII that is not a letter, digit, space or control).</summary>
    public readonly long Punctuation =>
        Length - Letters - Digits - Spaces - Breaks - TwoByte - OtherScripts - Cjk - Symbols - SurrogatePairs - LowSurrogates;

    /// <summary>Measures a text, using SIMD when the hardware supports it.</summary>
    public static TextFeatures Measure(ReadOnlySpan<char> text)
    {
        var f = default(TextFeatures);
        f.Length = text.Length;
        if (text.IsEmpty)
        {
            return f;
        }

        f.AddAt(text, 0);
        int i = 1;
        if (Vector256.IsHardwareAccelerated && text.Length > Vector256<ushort>.Count)
        {
            i = f.AddVector256(text, i);
        }

        if (Vector128.IsHardwareAccelerated && text.Length - i >= Vector128<ushort>.Count)
        {
            i = f.AddVector128(text, i);
        }

        for (; i < text.Length; i++)
        {
            f.AddAt(text, i);
        }

        return f;
    }

    /// <summary>Measures a text one character at a time; the reference the vectorised path is tested against.</summary>
    public static TextFeatures MeasureScalar(ReadOnlySpan<char> text)
    {
        var f = default(TextFeatures);
        f.Length = text.Length;
        for (int i = 0; i < text.Length; i++)
        {
            f.AddAt(text, i);
        }

        return f;
    }

    private void AddAt(ReadOnlySpan<char> text, int i)
    {
        char c = text[i];
        if (char.IsAsciiLetter(c))
        {
            Letters++;
            if (i == 0 || !char.IsAsciiLetter(text[i - 1]))
            {
                LetterRuns++;
            }
            else if (char.IsAsciiLetterUpper(c) && char.IsAsciiLetterLower(text[i - 1]))
            {
                CaseChanges++;
            }
        }
        else if (char.IsAsciiDigit(c))
        {
            Digits++;
            if (i == 0 || !char.IsAsciiDigit(text[i - 1]))
            {
                DigitRuns++;
            }
        }
        else if (c == ' ')
        {
            Spaces++;
        }
        else if (c < ' ')
        {
            Breaks++;
        }
        else if (c > '\u007F')
        {
            AddNonAscii(c);
        }
    }

    private void AddNonAscii(char c)
    {
        if (c < '\u0800')
        {
            TwoByte++;
        }
        else if (c < '\u2000')
        {
            OtherScripts++;
        }
        else if (char.IsHighSurrogate(c))
        {
            SurrogatePairs++;
        }
        else if (char.IsLowSurrogate(c))
        {
            LowSurrogates++;
        }
        else if (c is (>= '\u2E80' and <= '\u9FFF') or (>= '\uAC00' and <= '\uD7AF') or (>= '\uF900' and <= '\uFAFF')
                 or (>= '\uFF00' and <= '\uFFEF'))
        {
            Cjk++;
        }
        else
        {
            Symbols++;
        }
    }

    // Processes whole vectors from index start (start >= 1: each vector is compared with the one a char earlier);
    // returns the index of the first char not processed.
    private int AddVector256(ReadOnlySpan<char> text, int start)
    {
        ref ushort origin = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(text));
        int lastStart = text.Length - Vector256<ushort>.Count;
        int i = start;
        var caseBit = Vector256.Create((ushort)0x20);
        var a = Vector256.Create((ushort)'a');
        var alphabet = Vector256.Create((ushort)26);
        var upperA = Vector256.Create((ushort)'A');
        var zero = Vector256.Create((ushort)'0');
        var ten = Vector256.Create((ushort)10);
        var space = Vector256.Create((ushort)' ');
        var ascii = Vector256.Create((ushort)0x7F);
        while (i <= lastStart)
        {
            Vector256<ushort> letters = default, letterRuns = default, caseChanges = default, digits = default, digitRuns = default;
            Vector256<ushort> spaces = default, breaks = default;
            int chunkEnd = Math.Min(lastStart, i + ((ChunkIterations - 1) * Vector256<ushort>.Count));
            for (; i <= chunkEnd; i += Vector256<ushort>.Count)
            {
                var v = Vector256.LoadUnsafe(ref origin, (nuint)i);
                var p = Vector256.LoadUnsafe(ref origin, (nuint)(i - 1));
                var isLetter = Vector256.LessThan((v | caseBit) - a, alphabet);
                var wasLetter = Vector256.LessThan((p | caseBit) - a, alphabet);
                var isDigit = Vector256.LessThan(v - zero, ten);
                var wasDigit = Vector256.LessThan(p - zero, ten);
                letters -= isLetter;
                letterRuns -= Vector256.AndNot(isLetter, wasLetter);
                caseChanges -= Vector256.LessThan(v - upperA, alphabet) & Vector256.LessThan(p - a, alphabet);
                digits -= isDigit;
                digitRuns -= Vector256.AndNot(isDigit, wasDigit);
                spaces -= Vector256.Equals(v, space);
                breaks -= Vector256.LessThan(v, space);
                var nonAscii = Vector256.GreaterThan(v, ascii);
                if (nonAscii != Vector256<ushort>.Zero)
                {
                    uint bits = nonAscii.ExtractMostSignificantBits();
                    while (bits != 0)
                    {
                        AddNonAscii(text[i + BitOperations.TrailingZeroCount(bits)]);
                        bits &= bits - 1;
                    }
                }
            }

            Letters += Total(letters);
            LetterRuns += Total(letterRuns);
            CaseChanges += Total(caseChanges);
            Digits += Total(digits);
            DigitRuns += Total(digitRuns);
            Spaces += Total(spaces);
            Breaks += Total(breaks);
        }

        return i;
    }

    private int AddVector128(ReadOnlySpan<char> text, int start)
    {
        ref ushort origin = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(text));
        int lastStart = text.Length - Vector128<ushort>.Count;
        int i = start;
        var caseBit = Vector128.Create((ushort)0x20);
        var a = Vector128.Create((ushort)'a');
        var alphabet = Vector128.Create((ushort)26);
        var upperA = Vector128.Create((ushort)'A');
        var zero = Vector128.Create((ushort)'0');
        var ten = Vector128.Create((ushort)10);
        var space = Vector128.Create((ushort)' ');
        var ascii = Vector128.Create((ushort)0x7F);
        while (i <= lastStart)
        {
            Vector128<ushort> letters = default, letterRuns = default, caseChanges = default, digits = default, digitRuns = default;
            Vector128<ushort> spaces = default, breaks = default;
            int chunkEnd = Math.Min(lastStart, i + ((ChunkIterations - 1) * Vector128<ushort>.Count));
            for (; i <= chunkEnd; i += Vector128<ushort>.Count)
            {
                var v = Vector128.LoadUnsafe(ref origin, (nuint)i);
                var p = Vector128.LoadUnsafe(ref origin, (nuint)(i - 1));
                var isLetter = Vector128.LessThan((v | caseBit) - a, alphabet);
                var wasLetter = Vector128.LessThan((p | caseBit) - a, alphabet);
                var isDigit = Vector128.LessThan(v - zero, ten);
                var wasDigit = Vector128.LessThan(p - zero, ten);
                letters -= isLetter;
                letterRuns -= Vector128.AndNot(isLetter, wasLetter);
                caseChanges -= Vector128.LessThan(v - upperA, alphabet) & Vector128.LessThan(p - a, alphabet);
                digits -= isDigit;
                digitRuns -= Vector128.AndNot(isDigit, wasDigit);
                spaces -= Vector128.Equals(v, space);
                breaks -= Vector128.LessThan(v, space);
                var nonAscii = Vector128.GreaterThan(v, ascii);
                if (nonAscii != Vector128<ushort>.Zero)
                {
                    uint bits = nonAscii.ExtractMostSignificantBits();
                    while (bits != 0)
                    {
                        AddNonAscii(text[i + BitOperations.TrailingZeroCount(bits)]);
                        bits &= bits - 1;
                    }
                }
            }

            Letters += Total(letters);
            LetterRuns += Total(letterRuns);
            CaseChanges += Total(caseChanges);
            Digits += Total(digits);
            DigitRuns += Total(digitRuns);
            Spaces += Total(spaces);
            Breaks += Total(breaks);
        }

        return i;
    }

    private static long Total(Vector256<ushort> counts)
    {
        var (lower, upper) = Vector256.Widen(counts);
        return Vector256.Sum(lower + upper);
    }

    private static long Total(Vector128<ushort> counts)
    {
        var (lower, upper) = Vector128.Widen(counts);
        return Vector128.Sum(lower + upper);
    }
}
