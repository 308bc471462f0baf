using AiOrchestrator.Http.Wire;

namespace AiOrchestrator.Http.Pipeline;

/// <summary>
/// The outer stage, once per logical call (outside any retry or hedging handler): reads the request, resolves its
/// scope, prices its model and reserves the worst-case cost; the reservation is settled with the cost of every
/// attempt, or released, once the call and its last stream have ended. Requests that are not LLM calls pass through.
/// </summary>
internal sealed class CallBudgetHandler : DelegatingHandler
{
    private readonly LlmCallFactory _calls;

    public CallBudgetHandler(LlmCallFactory calls) => _calls = calls;

    /// <inheritdoc/>
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!LlmEndpoint.TryDetect(request, out var format) || request.Options.TryGetValue(LlmCall.Key, out _))
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        var call = await _calls.StartAsync(request, format, reserve: true, cancellationToken).ConfigureAwait(false);
        request.Options.Set(LlmCall.Key, call);
        try
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            call.OuterFinished();
        }
    }

    /// <inheritdoc/>
    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
        => throw SyncNotSupported();

    internal static NotSupportedException SyncNotSupported() => new(
        "The AiOrchestrator handler meters and budgets only asynchronous sends; HttpClient.Send would bypass them. Use HttpClient.SendAsync (or PostAsync).");
}
