using AiOrchestrator.Pipeline;
using AiOrchestrator.Tokens;

namespace AiOrchestrator.Embeddings;

/// <summary>
/// An embedding call's input as the stages need it: the bound counts the UTF-8 bytes of every input plus a small
/// framing allowance per input (the start and end tokens some embedding tokenizers add), so it is never below the
/// tokens the provider counts. An embedding produces no output tokens.
/// </summary>
internal sealed class EmbeddingCallRequest(IReadOnlyList<string> inputs, ITokenCounter tokenCounter) : AiCallRequest
{
    /// <summary>Tokens allowed per input for the markers a tokenizer may add around it (such as <c>[CLS]</c> and <c>[SEP]</c>).</summary>
    internal const int PerInput = 2;

    private long _bytes = -1;

    /// <summary>The inputs, as they are sent.</summary>
    public IReadOnlyList<string> Inputs => inputs;

    /// <summary>The same bound for every family: a token is at least one byte.</summary>
    public override long InputBound(TokenizerFamily family)
    {
        if (_bytes < 0)
        {
            var measure = default(Utf8ByteMeasure);
            long bytes = 0;
            for (var i = 0; i < inputs.Count; i++)
            {
                bytes += PerInput + (long)measure.Measure(inputs[i]);
            }

            _bytes = bytes;
        }

        return _bytes;
    }

    /// <summary>The inputs counted with the token counter's mode (exact, or the calibrated estimate), plus the framing allowance.</summary>
    public override long CountInputTokens(string modelId)
    {
        var family = TokenizerFamilies.ForModel(modelId);
        var exact = tokenCounter.Mode == TokenCountingMode.Exact;
        long tokens = 0;
        for (var i = 0; i < inputs.Count; i++)
        {
            tokens += PerInput + (exact ? ExactTokenCounter.CountTokens(inputs[i], family) : TokenEstimator.EstimateTokens(inputs[i], family));
        }

        return tokens;
    }
}
