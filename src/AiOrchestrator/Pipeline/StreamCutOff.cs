using System.Diagnostics.CodeAnalysis;
using System.Text;
using AiOrchestrator.Tokens;

namespace AiOrchestrator.Pipeline;

/// <summary>
/// The one cut-off policy for streams in both pipelines: a stream is cut off only when its output is certainly past
/// the cap sent to the provider, never on an estimate that might be high. For models with an exact tokenizer
/// (OpenAI's o200k and cl100k) the text seen is counted exactly; for others, and where a pipeline keeps no text,
/// each output chunk counts as one token (a chunk carries at least one). A provider that honours the cap is never cut off.
/// </summary>
[Experimental(AiCall.ExperimentalDiagnosticId)]
public sealed class StreamCutOff
{
    private readonly long _cap;
    private readonly TokenizerFamily? _exact;
    private readonly StringBuilder? _text;
    private long _chunks;
    private long _upperBound;

    /// <summary>Watches a stream whose cap is <paramref name="cap"/> output tokens, for a model of <paramref name="family"/>.</summary>
    public StreamCutOff(long cap, TokenizerFamily family)
    {
        _cap = cap;
        if (family is TokenizerFamily.O200k or TokenizerFamily.Cl100k)
        {
            _exact = family;
            _text = new StringBuilder();
        }
    }

    /// <summary>The output tokens known to have been seen so far (a lower bound).</summary>
    public long Seen { get; private set; }

    /// <summary>The cap the stream is held to.</summary>
    public long Cap => _cap;

    /// <summary>Adds an output chunk's text; true when the stream is now certainly past its cap.</summary>
    public bool AddText(string chunk)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        _chunks++;
        if (_text is null)
        {
            Seen = _chunks;
            return _chunks > _cap;
        }

        _text.Append(chunk);
        _upperBound += ExactTokenCounter.CountTokens(chunk, _exact!.Value);
        if (_upperBound <= _cap)
        {
            Seen = Math.Max(Seen, _chunks);
            return false;
        }

        // Token counts of pieces can exceed the count of the whole: recount the whole text before deciding.
        Seen = ExactTokenCounter.CountTokens(_text.ToString(), _exact!.Value);
        _upperBound = Seen;
        return Seen > _cap;
    }

    /// <summary>Adds an output chunk whose text is not kept; true when the stream is now certainly past its cap.</summary>
    public bool AddChunk()
    {
        _chunks++;
        Seen = Math.Max(Seen, _chunks);
        return _chunks > _cap;
    }
}
