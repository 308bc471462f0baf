using System.Net;

namespace AiOrchestrator.Http;

/// <summary>
/// An LLM provider answered with something the handler cannot meter: a body that is not the JSON its API returns,
/// an event stream with an event that is not JSON, or a stream that ended before its final event (a truncated
/// response). The attempt is recorded as failed (with estimated usage when output had already reached the caller)
/// and its budget reservation is settled or released, never charged twice.
/// </summary>
public sealed class ProviderResponseException : HttpRequestException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What was wrong and what to do.</param>
    /// <param name="provider">The provider that answered.</param>
    /// <param name="model">The model the request named.</param>
    /// <param name="requestUri">Where the request was sent.</param>
    /// <param name="statusCode">The response's status code.</param>
    /// <param name="innerException">The parse error, if any.</param>
    public ProviderResponseException(string message, string provider, string? model, Uri? requestUri, HttpStatusCode? statusCode, Exception? innerException = null)
        : base(HttpRequestError.InvalidResponse, message, innerException, statusCode)
    {
        Provider = provider;
        Model = model;
        RequestUri = requestUri;
    }

    /// <summary>The provider that answered, as recorded in usage records (for example <c>openai</c>).</summary>
    public string Provider { get; }

    /// <summary>The model the request named.</summary>
    public string? Model { get; }

    /// <summary>Where the request was sent.</summary>
    public Uri? RequestUri { get; }
}
