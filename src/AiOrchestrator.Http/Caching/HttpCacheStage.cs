using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using AiOrchestrator.Caching;
using AiOrchestrator.Http.Pipeline;

namespace AiOrchestrator.Http.Caching;

/// <summary>
/// The response cache in the <c>HttpClient</c> pipeline, run by the outer handler with the rules the
/// <c>IChatClient</c> stage uses (<see cref="AiResponseCache"/>): a hit replays the stored status, content type and
/// bytes (a server-sent event stream as it came, usage events included) and is recorded at cost 0 with the cost it
/// avoided; a successful miss is stored once its body has been read whole.
/// </summary>
internal static class HttpCacheStage
{
    public static async Task<HttpResponseMessage> SendAsync(
        HttpPipeline pipeline, HttpCall call, HttpCachePlan plan, HttpRequestMessage request,
        Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> send, CancellationToken cancellationToken)
    {
        var cache = plan.Cache;
        var started = Stopwatch.GetTimestamp();
        var (entry, lease) = await cache.LookupAsync(plan.Key, plan.TimeToLive, cancellationToken).ConfigureAwait(false);
        if (entry is { Kind: CacheEntryKind.HttpBody or CacheEntryKind.HttpStream })
        {
            var elapsed = Stopwatch.GetElapsedTime(started);
            cache.CountLookup("hit", elapsed);
            pipeline.Meter.RecordCacheHit(call.Call, entry.Provider, entry.Model, entry.Usage, elapsed, semantic: false);
            var replay = new HttpResponseMessage((HttpStatusCode)entry.StatusCode) { RequestMessage = request, Content = new ByteArrayContent(entry.Payload) };
            if (entry.ContentType is { } type && MediaTypeHeaderValue.TryParse(type, out var parsed))
            {
                replay.Content.Headers.ContentType = parsed;
            }

            return replay;
        }

        cache.CountLookup("miss", Stopwatch.GetElapsedTime(started));
        HttpResponseMessage response;
        try
        {
            response = await send(request, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            lease?.Complete(null);
            throw;
        }

        if (response.StatusCode != HttpStatusCode.OK)
        {
            lease?.Complete(null);
            return response;
        }

        var contentType = response.Content.Headers.ContentType?.ToString();
        if (string.Equals(response.Content.Headers.ContentType?.MediaType, "text/event-stream", StringComparison.OrdinalIgnoreCase))
        {
            var recording = new RecordingContent(response.Content, cache.MaxEntryBytes, bytes =>
            {
                var made = bytes is null ? null : Entry(pipeline, call, plan, CacheEntryKind.HttpStream, contentType, bytes);
                if (made is null)
                {
                    lease?.Complete(null);
                }
                else
                {
                    cache.Keep(lease, plan.Key, made, plan.Partition, plan.Model, plan.TimeToLive);
                }
            });
            foreach (var header in response.Content.Headers)
            {
                recording.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }

            response.Content = recording;
            return response;
        }

        CacheEntry? entryMade = null;
        try
        {
            await response.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            entryMade = Entry(pipeline, call, plan, CacheEntryKind.HttpBody, contentType, body);
            if (entryMade is not null)
            {
                cache.Keep(lease, plan.Key, entryMade, plan.Partition, plan.Model, plan.TimeToLive);
            }
        }
        finally
        {
            lease?.Complete(entryMade);
        }

        return response;
    }

    /// <summary>The entry for a finished call, from the attempt that served it; null when it did not succeed.</summary>
    private static CacheEntry? Entry(HttpPipeline pipeline, HttpCall call, HttpCachePlan plan, CacheEntryKind kind, string? contentType, byte[] body)
    {
        var attempt = call.Call.LastAttempt;
        if (attempt is not { HasEnded: true, Outcome: Metering.CallOutcome.Succeeded })
        {
            return null;
        }

        return new CacheEntry
        {
            Kind = kind,
            CreatedAt = pipeline.Meter.TimeProvider.GetUtcNow(),
            Provider = attempt.Provider,
            Model = attempt.ServedModel ?? attempt.Model,
            Usage = attempt.Usage,
            StatusCode = (int)HttpStatusCode.OK,
            ContentType = contentType,
            Payload = body,
        };
    }
}
