using AiOrchestrator.Http.Wire;
using AiOrchestrator.Pipeline;

namespace AiOrchestrator.Http.Pipeline;

/// <summary>
/// The shared <see cref="AiCall"/> of one HTTP request, with what only the wire format knows: the format, the
/// provider and the facts read from the body. The outer handler creates it once per logical call (outside any retry
/// or hedging handler) and passes it to the per-attempt handler in <see cref="HttpRequestMessage.Options"/>.
/// </summary>
internal sealed class HttpCall(AiCall call, WireFormat format, string provider, RequestFacts facts)
{
    /// <summary>The request option under which the call travels from the outer to the per-attempt handler.</summary>
    public static readonly HttpRequestOptionsKey<HttpCall> Key = new("aiorchestrator.http.call");

    public AiCall Call => call;

    public WireFormat Format => format;

    public string Provider => provider;

    public RequestFacts Facts => facts;

    /// <summary>The cache key, partition and lifetime of the call, or null when it does not use the cache.</summary>
    public AiOrchestrator.Http.Caching.HttpCachePlan? Cache { get; init; }

    /// <summary>The placeholders the safety stage put into the request body, which restore the answer; null without a safety stage.</summary>
    public AiOrchestrator.Safety.RedactionSession? Redaction { get; init; }

    /// <summary>The model the request body names.</summary>
    public string Model => call.RequestedModel!;
}
