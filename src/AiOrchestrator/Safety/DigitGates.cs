namespace AiOrchestrator.Safety;

/// <summary>
/// Cheap tests over digit positions that the numeric detectors run before their patterns: most digits in prose
/// (years, versions, amounts) cannot start a card, SSN or IP address, and skipping the pattern then is what keeps a
/// scan of ordinary text fast.
/// </summary>
internal static class DigitGates
{
    /// <summary>Whether a digit, a dot and a digit appear twice in one token ("1.2.3"), as every IPv4 address has.</summary>
    public static bool HasDottedDigits(ReadOnlySpan<char> text)
    {
        var from = 0;
        while (from < text.Length)
        {
            var dot = text[from..].IndexOf('.');
            if (dot < 0)
            {
                return false;
            }

            var p = from + dot;
            from = p + 1;
            if (p > 0 && p + 3 < text.Length && char.IsAsciiDigit(text[p - 1]) && char.IsAsciiDigit(text[p + 1]))
            {
                var next = text.Slice(p + 1, Math.Min(4, text.Length - p - 1)).IndexOf('.');
                if (next > 0)
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>Whether ':' appears twice within a few characters between hex digits or as "::", as every IPv6 address has.</summary>
    public static bool HasColonGroups(ReadOnlySpan<char> text)
    {
        var from = 0;
        while (from < text.Length)
        {
            var colon = text[from..].IndexOf(':');
            if (colon < 0)
            {
                return false;
            }

            var p = from + colon;
            from = p + 1;
            if (p + 1 < text.Length && (text[p + 1] == ':' || (p > 0 && char.IsAsciiHexDigit(text[p - 1]) && char.IsAsciiHexDigit(text[p + 1]) && text.Slice(p + 1, Math.Min(5, text.Length - p - 1)).Contains(':'))))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Where values in a run can first start: the run's first digit, or the '+' or '(' just before it.</summary>
    public static int FirstTokenStart(ReadOnlySpan<char> text, int runStart)
        => runStart > 0 && text[runStart - 1] is '+' or '(' ? runStart - 1 : runStart;

    /// <summary>Whether <paramref name="text"/> holds at least <paramref name="count"/> digits (stops counting there, so a long run costs no more).</summary>
    public static bool HasDigits(ReadOnlySpan<char> text, int count)
    {
        foreach (var c in text)
        {
            if (char.IsAsciiDigit(c) && --count == 0)
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>
/// What the numeric detectors start from, found in one pass over the text for all of them: the runs of digits with
/// single separators (space and dash, and for phone numbers also dot, parentheses and '+') holding at least four
/// digits, and the places where two letters start a digit group (where an IBAN can start).
/// </summary>
internal sealed class DigitRuns
{
    private readonly List<DigitRun> _runs = [];
    private readonly List<int> _afterTwoLetters = [];
    private readonly List<int> _tokenStarts = [];

    /// <summary>The runs of at least four digits, in text order.</summary>
    public ReadOnlySpan<DigitRun> Runs => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_runs);

    /// <summary>
    /// The first digits of groups of two or more digits just after two ASCII letters that follow neither a letter nor
    /// a digit ("GB82 ..."), in text order.
    /// </summary>
    public ReadOnlySpan<int> AfterTwoLetters => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_afterTwoLetters);

    /// <summary>
    /// Where values in <paramref name="run"/> can start, in order: its first digit (or the '+' or '(' just before it),
    /// then each place just after a separator (a value never starts in the middle of a group of digits).
    /// </summary>
    public ReadOnlySpan<int> TokenStarts(DigitRun run) => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_tokenStarts).Slice(run.FirstToken, run.TokenCount);

    /// <summary>The runs of <paramref name="text"/>, for a detector called outside a scanner.</summary>
    public static DigitRuns Of(ReadOnlySpan<char> text)
    {
        var runs = new DigitRuns();
        runs.Collect(text);
        return runs;
    }

    /// <summary>Finds the runs of <paramref name="text"/> (after <see cref="Clear"/>).</summary>
    public void Collect(ReadOnlySpan<char> text)
    {
        var from = 0;
        while (from < text.Length)
        {
            var next = text[from..].IndexOfAnyInRange('0', '9');
            if (next < 0)
            {
                return;
            }

            var start = from + next;
            if (start >= 2 && start + 1 < text.Length && char.IsAsciiLetter(text[start - 1]) && char.IsAsciiLetter(text[start - 2])
                && char.IsAsciiDigit(text[start + 1]) && (start < 3 || !char.IsLetterOrDigit(text[start - 3])))
            {
                _afterTwoLetters.Add(start);
            }

            // Digits and single separators, one character at a time (groups are short: a vectorised search per group
            // costs more than it saves).
            var digits = 0;
            var j = start;
            while (j < text.Length)
            {
                var c = text[j];
                if (char.IsAsciiDigit(c))
                {
                    digits++;
                    j++;
                }
                else if (j + 1 < text.Length && c is ' ' or '-' or '.' or '(' or ')' or '+' && (char.IsAsciiDigit(text[j + 1]) || text[j + 1] is '(' or ' '))
                {
                    j++;
                }
                else
                {
                    break;
                }
            }

            if (digits >= 4)
            {
                var firstToken = _tokenStarts.Count;
                var first = DigitGates.FirstTokenStart(text, start);
                _tokenStarts.Add(first);
                for (var i = first + 1; i < j; i++)
                {
                    if (!char.IsAsciiDigit(text[i - 1]) && text[i - 1] is not ('(' or '+') && (char.IsAsciiDigit(text[i]) || text[i] is '(' or '+'))
                    {
                        _tokenStarts.Add(i); // just after a separator
                    }
                }

                _runs.Add(new DigitRun(start, j, digits, firstToken, _tokenStarts.Count - firstToken));
            }

            from = j;
        }
    }

    public void Clear()
    {
        _runs.Clear();
        _afterTwoLetters.Clear();
        _tokenStarts.Clear();
    }
}

/// <summary>A run of digits and single separators (see <see cref="DigitRuns"/>), how many digits it holds, and where its token starts are listed.</summary>
internal readonly record struct DigitRun(int Start, int End, int Digits, int FirstToken, int TokenCount);

/// <summary>A built-in numeric detector that can use the digit runs the scanner found once for all of them.</summary>
internal interface IDigitRunDetector
{
    void Detect(ReadOnlySpan<char> text, DigitRuns runs, ICollection<SensitiveDataFinding> findings);
}
