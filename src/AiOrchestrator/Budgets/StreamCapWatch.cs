using System.Text;
using AiOrchestrator.Tokens;

namespace AiOrchestrator.Budgets;

/// <summary>
/// Tells when a stream has certainly produced more output tokens than its cap, without false alarms: a provider
/// that honours the cap is never cut off.
/// </summary>
/// <remarks>
/// Counting each chunk on its own over-counts (a word split across chunks costs two tokens), so that sum is only
/// used to decide when to look closer. For OpenAI-family models the text so far is then counted exactly; for other
/// models, whose tokenizers are not available, the number of chunks is used, since every chunk carries at least one
/// token: a lower bound, so a provider that ignores the cap is caught a little late rather than an honest one early.
/// </remarks>
internal sealed class StreamCapWatch(long cap, TokenizerFamily? exactFamily)
{
    private readonly StringBuilder? _text = exactFamily is null ? null : new StringBuilder();
    private long _chunks;
    private long _upperBound;

    /// <summary>The best known count of output tokens so far.</summary>
    public long Seen { get; private set; }

    /// <summary>Adds a chunk of text; true when the output is now certainly over the cap.</summary>
    public bool Add(string chunk)
    {
        _chunks++;
        if (_text is null)
        {
            Seen = _chunks;
            return _chunks > cap;
        }

        _text.Append(chunk);
        _upperBound += ExactTokenCounter.CountTokens(chunk, exactFamily!.Value);
        if (_upperBound <= cap)
        {
            Seen = _upperBound;
            return false;
        }

        Seen = ExactTokenCounter.CountTokens(_text.ToString(), exactFamily!.Value);
        _upperBound = Seen;
        return Seen > cap;
    }
}
