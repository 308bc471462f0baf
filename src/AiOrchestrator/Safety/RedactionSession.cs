using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;
using AiOrchestrator.Pipeline;

namespace AiOrchestrator.Safety;

/// <summary>
/// The placeholders of one call: replaces sensitive values with <c>[EMAIL_1]</c>-style placeholders (the same value
/// gets the same placeholder throughout the call) and puts the original values back into the model's answer. The
/// mapping lives only in this object, in memory, for the call; nothing is written anywhere.
/// </summary>
/// <remarks>
/// When the call's own texts already contain something shaped like a placeholder (<c>[EMAIL_1]</c> typed by the user),
/// this session's placeholders carry a random per-call suffix (<c>[EMAIL_1_Q7K2MX]</c>) so that restoring never
/// rewrites the user's text. Pass every text of the call to the constructor to decide that up front. Not thread-safe:
/// one session per call.
/// </remarks>
[Experimental(AiCall.ExperimentalDiagnosticId)]
public sealed partial class RedactionSession
{
    private const string NonceAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    private readonly Dictionary<string, string> _placeholderByValue = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _valueByPlaceholder = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _countByType = new(StringComparer.Ordinal);
    private string? _nonce;

    /// <summary>Starts a session for a call whose texts are <paramref name="callTexts"/> (checked for placeholder look-alikes).</summary>
    public RedactionSession(IEnumerable<string>? callTexts = null)
    {
        if (callTexts is not null)
        {
            foreach (var text in callTexts)
            {
                AvoidCollisionsWith(text);
            }
        }
    }

    /// <summary>How many distinct values this session has replaced.</summary>
    public int Count => _valueByPlaceholder.Count;

    /// <summary>Whether placeholders carry a per-call suffix because the call's text already held look-alikes.</summary>
    public bool UsesNonce => _nonce is not null;

    /// <summary>The longest placeholder issued, which bounds what a streaming restorer holds back.</summary>
    internal int LongestPlaceholder { get; private set; }

    /// <summary>
    /// Returns <paramref name="text"/> with each of <paramref name="findings"/> (non-overlapping spans into it, as
    /// the scanner returns them) replaced by its placeholder.
    /// </summary>
    public string Redact(string text, IEnumerable<SensitiveDataFinding> findings)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(findings);
        AvoidCollisionsWith(text);
        StringBuilder? sb = null;
        var copied = 0;
        foreach (var f in findings.OrderBy(f => f.Start))
        {
            if (f.Start < copied || f.End > text.Length)
            {
                throw new ArgumentException("Findings must lie inside the text and must not overlap; pass the scanner's findings for this text.", nameof(findings));
            }

            sb ??= new StringBuilder(text.Length + 16);
            sb.Append(text, copied, f.Start - copied);
            sb.Append(PlaceholderFor(f.Type, text.Substring(f.Start, f.Length)));
            copied = f.End;
        }

        if (sb is null)
        {
            return text;
        }

        sb.Append(text, copied, text.Length - copied);
        return sb.ToString();
    }

    /// <summary>The placeholder for <paramref name="value"/> of type <paramref name="type"/>, issuing one the first time.</summary>
    public string PlaceholderFor(SensitiveDataType type, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var key = string.Concat(type.Name, "\0", value);
        if (_placeholderByValue.TryGetValue(key, out var placeholder))
        {
            return placeholder;
        }

        _countByType.TryGetValue(type.Name, out var n);
        _countByType[type.Name] = ++n;
        placeholder = _nonce is null
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"[{type.Name}_{n}]")
            : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"[{type.Name}_{n}_{_nonce}]");
        _placeholderByValue[key] = placeholder;
        _valueByPlaceholder[placeholder] = value;
        LongestPlaceholder = Math.Max(LongestPlaceholder, placeholder.Length);
        return placeholder;
    }

    /// <summary>Returns <paramref name="text"/> with this session's placeholders replaced by the original values.</summary>
    public string Restore(string text) => Restore(text, json: false);

    /// <summary>
    /// Returns raw JSON text (such as a tool call's arguments) with this session's placeholders replaced by the
    /// original values, JSON-escaped (quotes, backslashes and control characters), so the JSON stays valid and
    /// decodes to the original value.
    /// </summary>
    public string RestoreJson(string json) => Restore(json, json: true);

    /// <summary>A restorer for a streamed answer: feed it chunks, then flush it; see <see cref="StreamingRestorer"/>.</summary>
    /// <param name="json">True when the stream is raw JSON text (tool-call arguments): restored values are JSON-escaped.</param>
    public StreamingRestorer CreateStreamingRestorer(bool json = false) => new(this, json);

    /// <summary>Says how many values of which types were replaced, never the values.</summary>
    public override string ToString() => $"RedactionSession({Count} values{(UsesNonce ? ", suffixed" : string.Empty)})";

    internal string Restore(string text, bool json)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (_valueByPlaceholder.Count == 0 || !text.Contains('['))
        {
            return text;
        }

        var lookup = _valueByPlaceholder.GetAlternateLookup<ReadOnlySpan<char>>();
        StringBuilder? sb = null;
        var copied = 0;
        var i = text.IndexOf('[');
        while (i >= 0)
        {
            var close = text.AsSpan(i, Math.Min(LongestPlaceholder, text.Length - i)).IndexOf(']');
            if (close > 0 && lookup.TryGetValue(text.AsSpan(i, close + 1), out var value))
            {
                sb ??= new StringBuilder(text.Length + 32);
                sb.Append(text, copied, i - copied);
                sb.Append(json ? JsonEncodedText.Encode(value, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).ToString() : value);
                copied = i + close + 1;
                i = copied < text.Length ? text.IndexOf('[', copied) : -1;
                continue;
            }

            i = i + 1 < text.Length ? text.IndexOf('[', i + 1) : -1;
        }

        if (sb is null)
        {
            return text;
        }

        sb.Append(text, copied, text.Length - copied);
        return sb.ToString();
    }

    /// <summary>Whether <paramref name="pending"/> (starting with '[') could still grow into one of this session's placeholders.</summary>
    internal bool IsPlaceholderPrefix(ReadOnlySpan<char> pending)
    {
        if (pending.Length > LongestPlaceholder)
        {
            return false;
        }

        foreach (var placeholder in _valueByPlaceholder.Keys)
        {
            if (placeholder.AsSpan().StartsWith(pending, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private void AvoidCollisionsWith(string text)
    {
        if (_nonce is null && text.Contains('[') && LookAlike().IsMatch(text))
        {
            Span<char> nonce = stackalloc char[6];
            RandomNumberGenerator.GetItems(NonceAlphabet, nonce);
            _nonce = new string(nonce);
        }
    }

    [GeneratedRegex(@"\[[A-Z][A-Z0-9_]{0,40}_[0-9]{1,9}(?:_[A-Z0-9]{1,12})?\]", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex LookAlike();
}
