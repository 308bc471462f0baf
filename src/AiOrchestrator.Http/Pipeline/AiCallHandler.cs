using AiOrchestrator.Http.Caching;
using AiOrchestrator.Http.Safety;
using AiOrchestrator.Http.Wire;

namespace AiOrchestrator.Http.Pipeline;

/// <summary>
/// The outer handler, once per logical call (outside any retry or hedging handler): reads the request body once,
/// resolves the scope and creates the call object every attempt shares (<see cref="AiOrchestrator.Pipeline.AiCall"/>),
/// so retries and hedged attempts of one call carry one call id. Requests that are not LLM calls pass through.
/// </summary>
internal sealed class AiCallHandler(HttpPipeline pipeline) : DelegatingHandler
{
    /// <inheritdoc/>
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!LlmEndpoint.TryDetect(request, out var format) || request.Options.TryGetValue(HttpCall.Key, out _))
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        // A blocked call throws here, before the cache, the budget or the provider sees anything.
        var call = await pipeline.StartAsync(request, format, cancellationToken).ConfigureAwait(false);
        request.Options.Set(HttpCall.Key, call);

        // The cache sits before the attempts (retries, budgets): a hit sends nothing and reserves nothing.
        var response = call.Cache is { } plan
            ? await HttpCacheStage.SendAsync(pipeline, call, plan, request, base.SendAsync, cancellationToken).ConfigureAwait(false)
            : await base.SendAsync(request, cancellationToken).ConfigureAwait(false);

        // Restored outside the cache, so cache entries keep the placeholders the provider saw.
        return pipeline.Safety is { } guard && call.Redaction is { } session
            ? await ResponseSafety.ApplyAsync(guard, session, call.Call.Scope, call.Call.Id, format, response, cancellationToken).ConfigureAwait(false)
            : response;
    }

    /// <inheritdoc/>
    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
        => throw SyncNotSupported();

    internal static NotSupportedException SyncNotSupported() => new(
        "The AiOrchestrator handler meters and budgets only asynchronous sends; HttpClient.Send would bypass them. Use HttpClient.SendAsync (or PostAsync).");
}
