using System.Diagnostics.CodeAnalysis;
using System.Text;
using AiOrchestrator.Pipeline;

namespace AiOrchestrator.Safety;

/// <summary>
/// Restores a streamed answer chunk by chunk, and — when made by <see cref="SafetyGuard.CreateStreamingOutput"/> —
/// applies the output policy to it. <see cref="Append"/> returns the text that can be given to the caller now;
/// <see cref="Flush"/> returns what is left when the stream ends (and reports the output decision).
/// </summary>
/// <remarks>
/// Restoring alone holds back only a tail that could be the start of a placeholder split across chunks
/// (<c>[EMA</c> ... <c>IL_1]</c>). With an output policy that redacts or blocks, the restorer also holds back the last
/// <see cref="SafetyOptions.StreamingHoldBack"/> characters, the word they start in, an unfinished PEM block and any
/// value it has found that reaches into them: each value is found whole before any of it is given out.
/// </remarks>
[Experimental(AiCall.ExperimentalDiagnosticId)]
public sealed class StreamingRestorer
{
    // Detectors look a little to the left of a value (a "password:" label, an "SSN" keyword): that much of what was
    // given out is kept as context for the next scan.
    private const int ContextLength = 64;

    // A word is not split unless it is longer than this beyond the hold-back.
    private const int LongestWord = 256;

    // An unfinished "-----BEGIN" block is held at most this long.
    private const int LongestPemBlock = 8192;

    private readonly RedactionSession _session;
    private readonly bool _json;
    private readonly OutputFilter? _filter;
    private readonly int _holdBack;
    private readonly StringBuilder _pending = new();
    private string _context = string.Empty;

    internal StreamingRestorer(RedactionSession session, bool json, OutputFilter? filter = null, int holdBack = 0)
    {
        _session = session;
        _json = json;
        _filter = filter;
        _holdBack = filter is { ChangesText: true } ? holdBack : 0;
    }

    /// <summary>Adds a chunk and returns the restored text that is safe to emit now (possibly empty).</summary>
    /// <exception cref="SafetyPolicyViolationException">The output policy blocks a value the answer contains.</exception>
    public string Append(string? chunk)
    {
        if (string.IsNullOrEmpty(chunk))
        {
            return string.Empty;
        }

        if (_filter is null && _session.Count == 0)
        {
            return chunk;
        }

        _pending.Append(chunk);
        if (_pending.Length <= _holdBack)
        {
            return string.Empty;
        }

        var text = _pending.ToString();
        if (_filter is null)
        {
            var hold = PlaceholderHoldBack(text, text.Length);
            Keep(text, hold);
            return hold == 0 ? string.Empty : _session.Restore(hold == text.Length ? text : text[..hold], _json);
        }

        var scanned = _context + text;
        var from = _context.Length;
        var findings = _filter.Scan(scanned, from);
        var cut = CutPoint(scanned, from, findings);
        if (cut == from)
        {
            return string.Empty;
        }

        var filtered = _filter.Apply(scanned, from, cut, findings);
        _context = cut - from >= ContextLength ? scanned[(cut - ContextLength)..cut] : scanned[Math.Max(0, cut - ContextLength)..cut];
        Keep(text, cut - from);
        return _session.Restore(filtered, _json);
    }

    /// <summary>Returns whatever is still held back (filtered and restored), at the end of the stream.</summary>
    /// <exception cref="SafetyPolicyViolationException">The output policy blocks a value the rest contains.</exception>
    public string Flush()
    {
        if (_filter is null)
        {
            if (_pending.Length == 0)
            {
                return string.Empty;
            }

            var rest = _pending.ToString();
            _pending.Clear();
            return _session.Restore(rest, _json);
        }

        var filtered = string.Empty;
        if (_pending.Length > 0)
        {
            var scanned = _context + _pending;
            _pending.Clear();
            var from = _context.Length;
            filtered = _filter.Apply(scanned, from, scanned.Length, _filter.Scan(scanned, from));
        }

        _filter.Complete();
        return filtered.Length == 0 ? filtered : _session.Restore(filtered, _json);
    }

    /// <summary>Keeps <paramref name="text"/>[<paramref name="given"/>..] as the pending tail.</summary>
    private void Keep(string text, int given)
    {
        _pending.Clear();
        if (given < text.Length)
        {
            _pending.Append(text, given, text.Length - given);
        }
    }

    /// <summary>
    /// Where to stop giving out <paramref name="text"/> (positions past <paramref name="from"/> are pending): before
    /// the hold-back, the word it starts in, an unfinished PEM block, any found value that reaches past it, and a
    /// placeholder that may be split.
    /// </summary>
    private int CutPoint(string text, int from, List<SensitiveDataFinding> findings)
    {
        var cut = text.Length - _holdBack;
        if (cut <= from)
        {
            return from;
        }

        if (_holdBack > 0)
        {
            // Never split a word: a key, token or address has no spaces, so it is held until it ends.
            // (A word longer than that beyond the hold-back is cut, so text without spaces still flows.)
            if (!char.IsWhiteSpace(text[cut]))
            {
                var floor = Math.Max(from, cut - LongestWord);
                var i = cut;
                while (i > floor && !char.IsWhiteSpace(text[i - 1]))
                {
                    i--;
                }

                if (i > floor || floor == from)
                {
                    cut = i;
                }
            }

            var begin = cut > from ? text.LastIndexOf("-----BEGIN", cut - 1, cut - from, StringComparison.Ordinal) : -1;
            if (begin >= 0 && text.IndexOf("-----END", begin, StringComparison.Ordinal) < 0 && text.Length - begin <= LongestPemBlock)
            {
                cut = begin;
            }
        }

        // A value that was found and reaches past the cut is held whole (moving the cut back may reach another).
        for (var moved = true; moved;)
        {
            moved = false;
            foreach (var f in findings)
            {
                if (f.Start < cut && f.End > cut && f.Start >= from)
                {
                    cut = f.Start;
                    moved = true;
                }
            }
        }

        return Math.Max(from, PlaceholderHoldBack(text, cut, from));
    }

    /// <summary>Where a tail of <paramref name="text"/>[..<paramref name="end"/>] that may begin a placeholder starts (or <paramref name="end"/>).</summary>
    private int PlaceholderHoldBack(string text, int end, int from = 0)
    {
        if (_session.Count == 0 || end <= from)
        {
            return end;
        }

        var floor = Math.Max(from, end - _session.LongestPlaceholder);
        var open = text.LastIndexOf('[', end - 1, end - floor);
        if (open < floor || text.IndexOf(']', open, end - open) >= 0)
        {
            return end;
        }

        return _session.IsPlaceholderPrefix(text.AsSpan(open, end - open)) ? open : end;
    }
}
