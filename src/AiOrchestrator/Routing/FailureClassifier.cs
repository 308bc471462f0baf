using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Reflection;
using System.Text.Json;
using AiOrchestrator.Budgets;

namespace AiOrchestrator.Routing;

/// <summary>
/// Decides whether an attempt's error is safe to retry on another target: 429, 408, 5xx, timeouts, connection errors
/// and responses that are not valid are; 400/401/403/404/422 and every other client error are not, nor is the
/// caller's own cancellation. Knows <see cref="HttpRequestException"/>, the OpenAI SDK's
/// <c>System.ClientModel.ClientResultException</c> (<c>Status</c>, raw response headers) and the Anthropic SDK's
/// <c>AnthropicApiException</c> (<c>StatusCode</c>) and I/O exceptions, without referencing either SDK: status
/// properties are found by name once per exception type.
/// </summary>
internal static class FailureClassifier
{
    private const int MaxDepth = 4;
    private static readonly ConcurrentDictionary<Type, StatusReader> Readers = new();

    public static FailureClassification Classify(Exception error, bool callerCancelled, bool attemptTimedOut, TimeProvider time)
    {
        if (error is OperationCanceledException)
        {
            // The caller's own cancellation is never retried; any other cancellation is a timeout (ours or the HTTP client's).
            return callerCancelled && !attemptTimedOut
                ? FailureClassification.NotRetryable(null)
                : Retry(RouteFailure.Timeout, null, null);
        }

        if (error is BudgetExceededException)
        {
            // The budget could not cover this target's price; a cheaper target may fit. Says nothing about the provider.
            return new FailureClassification(true, RouteFailure.Refused, null, null, CountsAgainstHealth: false);
        }

        return ClassifyDeep(error, time, 0);
    }

    private static FailureClassification ClassifyDeep(Exception error, TimeProvider time, int depth)
    {
        switch (error)
        {
            case TimeoutException:
                return Retry(RouteFailure.Timeout, null, null);
            case HttpRequestException http when http.StatusCode is { } status:
                return FromStatus((int)status, null);
            case HttpRequestException http:
                return http.HttpRequestError == HttpRequestError.InvalidResponse
                    ? Retry(RouteFailure.InvalidResponse, null, null)
                    : Retry(RouteFailure.Connection, null, null);
            case JsonException or InvalidDataException or FormatException:
                return Retry(RouteFailure.InvalidResponse, null, null);
            case IOException or System.Net.Sockets.SocketException:
                return Retry(RouteFailure.Connection, null, null);
        }

        var reader = Readers.GetOrAdd(error.GetType(), StatusReader.For);
        if (reader.Status(error) is { } code and > 0)
        {
            return FromStatus(code, reader.RetryAfter(error, time));
        }

        if (reader.IsInvalidData)
        {
            return Retry(RouteFailure.InvalidResponse, null, null);
        }

        if (reader.IsServerEvent)
        {
            // An error event inside a stream (overloaded, api_error) before anything reached the caller.
            return Retry(RouteFailure.ServerError, null, null);
        }

        if (error.InnerException is { } inner && depth < MaxDepth)
        {
            var innerResult = ClassifyDeep(inner, time, depth + 1);
            if (innerResult.Retryable)
            {
                return innerResult;
            }
        }

        // A transport failure reported by an SDK without a status (status 0, or an I/O wrapper) is a connection error.
        return reader.IsTransport ? Retry(RouteFailure.Connection, null, null) : FailureClassification.NotRetryable(null);
    }

    private static FailureClassification FromStatus(int status, TimeSpan? retryAfter) => status switch
    {
        429 => Retry(RouteFailure.RateLimited, status, retryAfter),
        408 => Retry(RouteFailure.Timeout, status, retryAfter),
        >= 500 and < 600 => Retry(RouteFailure.ServerError, status, retryAfter),
        _ => FailureClassification.NotRetryable(status),
    };

    private static FailureClassification Retry(RouteFailure failure, int? status, TimeSpan? retryAfter)
        => new(true, failure, status, retryAfter, CountsAgainstHealth: true);

    /// <summary>Parses a Retry-After value: delay seconds, or an HTTP date.</summary>
    internal static TimeSpan? ParseRetryAfter(string? value, TimeProvider time)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
        {
            return TimeSpan.FromSeconds(seconds);
        }

        if (DateTimeOffset.TryParseExact(value, "r", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out var at))
        {
            var delay = at - time.GetUtcNow();
            return delay > TimeSpan.Zero ? delay : TimeSpan.Zero;
        }

        return null;
    }

    /// <summary>How to read the status of one exception type found by name (the SDKs are not referenced).</summary>
    private sealed class StatusReader
    {
        private readonly PropertyInfo? _status;
        private readonly MethodInfo? _rawResponse;

        private StatusReader(PropertyInfo? status, MethodInfo? rawResponse)
        {
            _status = status;
            _rawResponse = rawResponse;
        }

        public bool IsInvalidData { get; private init; }

        public bool IsServerEvent { get; private init; }

        public bool IsTransport { get; private init; }

        public static StatusReader For(Type type)
        {
            // System.ClientModel.ClientResultException: int Status (0 when no response), GetRawResponse().
            // Anthropic.Exceptions.AnthropicApiException: HttpStatusCode StatusCode.
            var status = type.GetProperty("Status", BindingFlags.Public | BindingFlags.Instance) is { } s && s.PropertyType == typeof(int)
                ? s
                : type.GetProperty("StatusCode", BindingFlags.Public | BindingFlags.Instance) is { } sc
                    && (sc.PropertyType == typeof(HttpStatusCode) || sc.PropertyType == typeof(HttpStatusCode?) || sc.PropertyType == typeof(int) || sc.PropertyType == typeof(int?))
                    ? sc
                    : null;
            var raw = type.GetMethod("GetRawResponse", BindingFlags.Public | BindingFlags.Instance, Type.EmptyTypes);
            var name = type.Name;
            return new StatusReader(status, raw)
            {
                IsTransport = status?.Name == "Status" || name.EndsWith("IOException", StringComparison.Ordinal),
                IsInvalidData = name.Contains("InvalidData", StringComparison.Ordinal),
                IsServerEvent = name.EndsWith("SseException", StringComparison.Ordinal),
            };
        }

        public int? Status(Exception error)
        {
            if (_status is null)
            {
                return null;
            }

            return _status.GetValue(error) switch
            {
                int i => i,
                HttpStatusCode c => (int)c,
                _ => null,
            };
        }

        public TimeSpan? RetryAfter(Exception error, TimeProvider time)
        {
            // PipelineResponse.Headers.TryGetValue(string, out string?) on the OpenAI SDK's raw response.
            var response = _rawResponse?.Invoke(error, null);
            var headers = response?.GetType().GetProperty("Headers")?.GetValue(response);
            var tryGet = headers?.GetType().GetMethod("TryGetValue", [typeof(string), typeof(string).MakeByRefType()]);
            if (tryGet is null)
            {
                return null;
            }

            object?[] args = ["retry-after-ms", null];
            if (tryGet.Invoke(headers, args) is true && double.TryParse(args[1] as string, NumberStyles.Float, CultureInfo.InvariantCulture, out var ms) && ms >= 0)
            {
                return TimeSpan.FromMilliseconds(ms);
            }

            args = ["Retry-After", null];
            return tryGet.Invoke(headers, args) is true ? ParseRetryAfter(args[1] as string, time) : null;
        }
    }
}
