using System.Diagnostics.CodeAnalysis;
using System.Text;
using AiOrchestrator.Pipeline;

namespace AiOrchestrator.Safety;

/// <summary>
/// Restores a streamed answer chunk by chunk. <see cref="Append"/> returns the text that can be given to the caller
/// now; it holds back only a tail that could be the start of a placeholder split across chunks (<c>[EMA</c> ...
/// <c>IL_1]</c>), at most one placeholder long. <see cref="Flush"/> returns what is left when the stream ends.
/// </summary>
[Experimental(AiCall.ExperimentalDiagnosticId)]
public sealed class StreamingRestorer
{
    private readonly RedactionSession _session;
    private readonly bool _json;
    private readonly StringBuilder _pending = new();

    internal StreamingRestorer(RedactionSession session, bool json)
    {
        _session = session;
        _json = json;
    }

    /// <summary>Adds a chunk and returns the restored text that is safe to emit now (possibly empty).</summary>
    public string Append(string? chunk)
    {
        if (string.IsNullOrEmpty(chunk))
        {
            return string.Empty;
        }

        if (_session.Count == 0)
        {
            return chunk;
        }

        _pending.Append(chunk);
        var text = _pending.ToString();
        var hold = HoldBackFrom(text);
        _pending.Clear();
        if (hold < text.Length)
        {
            _pending.Append(text, hold, text.Length - hold);
        }

        return hold == 0 ? string.Empty : _session.Restore(hold == text.Length ? text : text[..hold], _json);
    }

    /// <summary>Returns whatever is still held back (restored), at the end of the stream.</summary>
    public string Flush()
    {
        if (_pending.Length == 0)
        {
            return string.Empty;
        }

        var rest = _pending.ToString();
        _pending.Clear();
        return _session.Restore(rest, _json);
    }

    /// <summary>Where the held-back tail starts: the last '[' with no ']' after it that may begin a placeholder.</summary>
    private int HoldBackFrom(string text)
    {
        var floor = Math.Max(0, text.Length - _session.LongestPlaceholder);
        var open = text.LastIndexOf('[');
        if (open < floor || text.IndexOf(']', open) >= 0)
        {
            return text.Length;
        }

        return _session.IsPlaceholderPrefix(text.AsSpan(open)) ? open : text.Length;
    }
}
