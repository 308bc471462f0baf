using System.Diagnostics.CodeAnalysis;
using AiOrchestrator.Tokens;

namespace AiOrchestrator.Pipeline;

/// <summary>
/// What a call asks for, as the stages need it before the call is sent: conservative bounds of its input tokens.
/// Each pipeline reads its own wire format (chat messages, an OpenAI or Anthropic JSON body) into one of these.
/// </summary>
[Experimental(AiCall.ExperimentalDiagnosticId)]
public abstract class AiCallRequest
{
    /// <summary>
    /// A cheap upper bound of the input tokens for a model of <paramref name="family"/>: instructions, messages, tool
    /// and response-format schemas included. Never below what the provider will count; may be well above it.
    /// </summary>
    public abstract long InputBound(TokenizerFamily family);

    /// <summary>
    /// A tighter estimate of the input tokens for <paramref name="modelId"/> (still conservative): asked when a
    /// wallet is running low, and for usage a provider did not report.
    /// </summary>
    public abstract long CountInputTokens(string modelId);
}
