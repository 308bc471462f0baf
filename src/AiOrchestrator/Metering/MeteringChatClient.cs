using AiOrchestrator.Pipeline;
using Microsoft.Extensions.AI;

namespace AiOrchestrator.Metering;

/// <summary>
/// Meters every call that passes through it, streamed or not: one <see cref="UsageRecord"/> per attempt with its
/// call id, scope, provider, model, normalised tokens, exact cost, latency, time to first token and outcome.
/// </summary>
/// <remarks>
/// The metering stage of the shared pipeline (the <c>HttpClient</c> handlers run the same stage). Usage comes from
/// the response (<see cref="ChatResponse.Usage"/>, or <see cref="UsageContent"/> in a stream); when the provider
/// reports none, the tokenizer estimates it and the record says so. A model that cannot be priced is refused before
/// the call is sent (under the default unpriced-model policy); a response naming a model the catalog cannot price
/// is priced at the requested model's price and flagged (<see cref="UsageRecord.PricedAsRequestedModel"/>). Place it
/// innermost, next to the provider, so that every attempt that reaches the provider is metered.
/// </remarks>
public sealed class MeteringChatClient : DelegatingChatClient
{
    /// <summary>Creates the middleware over <paramref name="innerClient"/>.</summary>
    public MeteringChatClient(IChatClient innerClient, UsageMeter meter)
        : base(new AttemptChatClient(
            innerClient ?? throw new ArgumentNullException(nameof(innerClient)),
            [new MeteringStage(meter ?? throw new ArgumentNullException(nameof(meter)))],
            meter))
    {
    }
}
