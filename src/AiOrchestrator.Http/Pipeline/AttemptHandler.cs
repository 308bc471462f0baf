using System.Globalization;
using System.Net;
using System.Text.Json;
using AiOrchestrator.Http.Wire;
using AiOrchestrator.Metering;

namespace AiOrchestrator.Http.Pipeline;

/// <summary>
/// The inner handler, once per attempt (inside any retry or hedging handler, next to the network): runs the shared
/// per-attempt stages (the budget reserves for this attempt and may lower its cap, which is written into the body;
/// metering records it), because each attempt can cost money. A buffered response is read once to find its usage
/// and handed on unchanged; an event stream is wrapped in a pass-through stream that meters it as it is read.
/// Failed attempts (exceptions, error status codes) end as failed and cost nothing.
/// </summary>
internal sealed class AttemptHandler(HttpPipeline pipeline) : DelegatingHandler
{
    /// <inheritdoc/>
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!request.Options.TryGetValue(HttpCall.Key, out var call) || call is null)
        {
            if (!LlmEndpoint.TryDetect(request, out var format))
            {
                return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }

            // No outer handler passed the call down (added without it): start it here.
            call = await pipeline.StartAsync(request, format, cancellationToken).ConfigureAwait(false);
        }

        var run = await pipeline.BeginAttemptAsync(call, request, cancellationToken).ConfigureAwait(false);
        HttpResponseMessage response;
        try
        {
            response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            run.End(null, default, null, OutcomeOf(ex, cancellationToken), ex.GetType().Name, null);
            throw;
        }

        if (!response.IsSuccessStatusCode)
        {
            // Error responses carry no usage and cost nothing; their bodies go to the caller (or the retry handler) as sent.
            run.End(null, default, null, CallOutcome.Failed, StatusError(response.StatusCode), null);
            return response;
        }

        if (IsEventStream(response.Content))
        {
            var meter = new StreamMeter(run, request.RequestUri, response.StatusCode);
            response.Content = new MeteredStreamContent(response.Content, meter);
            return response;
        }

        return await MeterBodyAsync(run, request, response, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
        => throw AiCallHandler.SyncNotSupported();

    private static bool IsEventStream(HttpContent content)
        => string.Equals(content.Headers.ContentType?.MediaType, "text/event-stream", StringComparison.OrdinalIgnoreCase);

    private static CallOutcome OutcomeOf(Exception exception, CancellationToken cancellationToken)
        => exception is OperationCanceledException && cancellationToken.IsCancellationRequested ? CallOutcome.Cancelled : CallOutcome.Failed;

    private static async Task<HttpResponseMessage> MeterBodyAsync(AttemptRun run, HttpRequestMessage request, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        PooledBuffer body;
        try
        {
            body = await PooledBuffer.CopyAsync(response.Content, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            run.End(null, default, null, OutcomeOf(ex, cancellationToken), ex.GetType().Name, null);
            response.Dispose();
            throw;
        }

        var call = run.Call;
        WireEvent facts;
        TokenUsage? reported;
        try
        {
            // The output text is measured only when the provider reports no usage (a second pass, off the usual path).
            facts = WireJson.Read(body.Written, wantModel: true, wantOutput: false);
            reported = facts.HasUsage ? run.ParseUsage(body.Written.Slice(facts.UsageStart, facts.UsageLength)) : null;
            if (reported is null && !facts.HasError)
            {
                facts.Output = WireJson.Read(body.Written, wantModel: false).Output;
            }
        }
        catch (JsonException ex)
        {
            run.End(null, default, null, CallOutcome.Failed, nameof(ProviderResponseException), null);
            response.Dispose();
            var reason = $"the body of its {(int)response.StatusCode} response is not the JSON object its API returns ({ex.Message})";
            HttpLog.BadResponse(run.Logger, call.Provider, call.Model, reason);
            throw new ProviderResponseException(
                $"The response of {call.Provider} to {request.RequestUri} cannot be metered: {reason}. The attempt is recorded as failed at no cost; check the endpoint's address and that it speaks the {call.Format} format.",
                call.Provider, call.Model, request.RequestUri, response.StatusCode, ex);
        }
        finally
        {
            await body.DisposeAsync().ConfigureAwait(false);
        }

        var estimate = reported is null && !facts.HasError ? run.Estimate(CallOutcome.Succeeded, facts.Output, null) : default;
        run.End(reported, estimate, facts.Model, facts.HasError ? CallOutcome.Failed : CallOutcome.Succeeded, facts.HasError ? "ProviderError" : null, null);
        return response;
    }

    private static string StatusError(HttpStatusCode status) => "HTTP " + ((int)status).ToString(CultureInfo.InvariantCulture);
}
