using System.Net;
using System.Text.Json;
using AiOrchestrator.Http.Wire;
using AiOrchestrator.Metering;

namespace AiOrchestrator.Http.Pipeline;

/// <summary>
/// The inner stage, once per attempt (inside any retry or hedging handler, next to the network): meters every
/// attempt that reaches the provider, because each one can cost money. A buffered response is read once to find its
/// usage and handed on unchanged; an event stream is wrapped in a pass-through stream that meters it as it is read.
/// Failed attempts (exceptions, error status codes) are recorded as failed.
/// </summary>
internal sealed class AttemptMeteringHandler : DelegatingHandler
{
    private readonly LlmCallFactory _calls;

    public AttemptMeteringHandler(LlmCallFactory calls) => _calls = calls;

    /// <inheritdoc/>
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Options.TryGetValue(LlmCall.Key, out var call) && call is not null)
        {
            return await SendAttemptAsync(call, request, cancellationToken).ConfigureAwait(false);
        }

        if (!LlmEndpoint.TryDetect(request, out var format))
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        // No outer stage passed the call down (the handler was added without it): meter without a budget.
        call = await _calls.StartAsync(request, format, reserve: false, cancellationToken).ConfigureAwait(false);
        try
        {
            return await SendAttemptAsync(call, request, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            call.OuterFinished();
        }
    }

    /// <inheritdoc/>
    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
        => throw CallBudgetHandler.SyncNotSupported();

    private static bool IsEventStream(HttpContent content)
        => string.Equals(content.Headers.ContentType?.MediaType, "text/event-stream", StringComparison.OrdinalIgnoreCase);

    private static CallOutcome OutcomeOf(Exception exception, CancellationToken cancellationToken)
        => exception is OperationCanceledException && cancellationToken.IsCancellationRequested ? CallOutcome.Cancelled : CallOutcome.Failed;

    private async Task<HttpResponseMessage> SendAttemptAsync(LlmCall call, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        call.AttemptStarted();
        var time = call.Time;
        var started = time.GetUtcNow();
        var startTimestamp = time.GetTimestamp();
        HttpResponseMessage response;
        try
        {
            response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            call.FinishAttempt(default, null, started, time.GetElapsedTime(startTimestamp), null, false, OutcomeOf(ex, cancellationToken), ex.GetType().Name);
            throw;
        }

        if (!response.IsSuccessStatusCode)
        {
            // Error responses carry no usage and cost nothing; their bodies go to the caller (or the retry handler) as sent.
            call.FinishAttempt(default, null, started, time.GetElapsedTime(startTimestamp), null, false, CallOutcome.Failed, StatusError(response.StatusCode));
            return response;
        }

        if (IsEventStream(response.Content))
        {
            var meter = new StreamMeter(call, request.RequestUri, response.StatusCode, started, startTimestamp);
            response.Content = new MeteredStreamContent(response.Content, meter);
            return response;
        }

        return await MeterBodyAsync(call, request, response, started, startTimestamp, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<HttpResponseMessage> MeterBodyAsync(LlmCall call, HttpRequestMessage request, HttpResponseMessage response, DateTimeOffset started, long startTimestamp, CancellationToken cancellationToken)
    {
        var time = call.Time;
        PooledBuffer body;
        try
        {
            body = await PooledBuffer.CopyAsync(response.Content, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            call.FinishAttempt(default, null, started, time.GetElapsedTime(startTimestamp), null, false, OutcomeOf(ex, cancellationToken), ex.GetType().Name);
            response.Dispose();
            throw;
        }

        WireEvent facts;
        TokenUsage usage;
        try
        {
            // The output text is measured only when the provider reports no usage (a second pass, off the usual path).
            facts = WireJson.Read(body.Written, wantModel: true, wantOutput: false);
            var reported = facts.HasUsage ? call.ParseUsage(body.Written.Slice(facts.UsageStart, facts.UsageLength)) : null;
            if (reported is null && !facts.HasError)
            {
                facts.Output = WireJson.Read(body.Written, wantModel: false).Output;
            }

            usage = reported ?? (facts.HasError ? default : call.Estimate(facts.Output, null));
        }
        catch (JsonException ex)
        {
            call.FinishAttempt(default, null, started, time.GetElapsedTime(startTimestamp), null, false, CallOutcome.Failed, nameof(ProviderResponseException));
            response.Dispose();
            var reason = $"the body of its {(int)response.StatusCode} response is not the JSON object its API returns ({ex.Message})";
            HttpLog.BadResponse(call.Logger, call.Provider, call.Model, reason);
            throw new ProviderResponseException(
                $"The response of {call.Provider} to {request.RequestUri} cannot be metered: {reason}. The attempt is recorded as failed at no cost; check the endpoint's address and that it speaks the {call.Format} format.",
                call.Provider, call.Model, request.RequestUri, response.StatusCode, ex);
        }
        finally
        {
            await body.DisposeAsync().ConfigureAwait(false);
        }

        var outcome = facts.HasError ? CallOutcome.Failed : CallOutcome.Succeeded;
        call.FinishAttempt(usage, facts.Model, started, time.GetElapsedTime(startTimestamp), null, false, outcome, facts.HasError ? "ProviderError" : null);
        return response;
    }

    private static string StatusError(HttpStatusCode status) => status switch
    {
        HttpStatusCode.BadRequest => "HTTP 400",
        HttpStatusCode.Unauthorized => "HTTP 401",
        HttpStatusCode.NotFound => "HTTP 404",
        HttpStatusCode.TooManyRequests => "HTTP 429",
        HttpStatusCode.InternalServerError => "HTTP 500",
        HttpStatusCode.BadGateway => "HTTP 502",
        HttpStatusCode.ServiceUnavailable => "HTTP 503",
        _ => "HTTP " + ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
