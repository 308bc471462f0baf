using AiOrchestrator.Http.Wire;
using AiOrchestrator.Pipeline;
using AiOrchestrator.Tokens;

namespace AiOrchestrator.Http.Pipeline;

/// <summary>An OpenAI or Anthropic request body's input as the shared stages need it.</summary>
internal sealed class HttpCallRequest(RequestFacts facts) : AiCallRequest
{
    public RequestFacts Facts => facts;

    /// <summary>The bytes of the body's strings plus the framing allowances: a token is at least one byte.</summary>
    public override long InputBound(TokenizerFamily family) => facts.InputBound;

    public override long CountInputTokens(string modelId) => facts.InputTokens(TokenizerFamilies.ForModel(modelId));
}
