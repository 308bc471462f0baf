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

    /// <summary>
    /// Finds the next run of digits at or after <paramref name="from"/> holding at least <paramref name="minDigits"/>
    /// digits (with single separators: space and dash, and for <paramref name="phone"/> runs also dot, parentheses and
    /// '+'), and moves <paramref name="from"/> past it. Detectors run their patterns over these runs only.
    /// </summary>
    public static bool NextRun(ReadOnlySpan<char> text, ref int from, bool phone, int minDigits, out int start, out int end)
    {
        while (from < text.Length)
        {
            var next = text[from..].IndexOfAnyInRange('0', '9');
            if (next < 0)
            {
                break;
            }

            start = from + next;
            var digits = 0;
            var j = start;
            while (j < text.Length)
            {
                if (char.IsAsciiDigit(text[j]))
                {
                    // A whole group of digits at once (vectorised).
                    var group = text[j..].IndexOfAnyExceptInRange('0', '9');
                    group = group < 0 ? text.Length - j : group;
                    digits += group;
                    j += group;
                }
                else if (j + 1 < text.Length && (text[j] is ' ' or '-' || (phone && text[j] is '.' or '(' or ')' or '+')) && (char.IsAsciiDigit(text[j + 1]) || (phone && text[j + 1] is '(' or ' ')))
                {
                    j++;
                }
                else
                {
                    break;
                }
            }

            end = j;
            from = j == start ? start + 1 : j;
            if (digits >= minDigits)
            {
                return true;
            }
        }

        start = end = 0;
        from = text.Length;
        return false;
    }

    /// <summary>
    /// The next place after <paramref name="position"/> and before <paramref name="runEnd"/> where a value can start:
    /// just after a separator (a value never starts in the middle of a group of digits); -1 when there is none.
    /// </summary>
    public static int NextTokenStart(ReadOnlySpan<char> text, int position, int runEnd)
    {
        for (var i = position + 1; i < runEnd; i++)
        {
            if (!char.IsAsciiDigit(text[i - 1]) && text[i - 1] is not ('(' or '+') && (char.IsAsciiDigit(text[i]) || text[i] is '(' or '+'))
            {
                return i;
            }
        }

        return -1;
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

    /// <summary>The runs of <paramref name="text"/> with at least four digits (phone separators allowed), for detectors called outside a scanner.</summary>
    public static DigitRun[] Runs(ReadOnlySpan<char> text)
    {
        var runs = new List<DigitRun>();
        CollectRuns(text, runs);
        return runs.ToArray();
    }

    /// <summary>Adds the runs of <paramref name="text"/> with at least four digits to <paramref name="runs"/>; the scanner does this once for all numeric detectors.</summary>
    public static void CollectRuns(ReadOnlySpan<char> text, List<DigitRun> runs)
    {
        var from = 0;
        while (NextRun(text, ref from, phone: true, 4, out var start, out var end))
        {
            runs.Add(new DigitRun(start, end));
        }
    }
}

/// <summary>A run of digits and single separators (see <see cref="DigitGates.NextRun"/>).</summary>
internal readonly record struct DigitRun(int Start, int End);

/// <summary>A built-in numeric detector that can use the digit runs the scanner found once for all of them.</summary>
internal interface IDigitRunDetector
{
    void Detect(ReadOnlySpan<char> text, ReadOnlySpan<DigitRun> runs, ICollection<SensitiveDataFinding> findings);
}
