using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace AiOrchestrator.Http.Tests.TestDoubles;

/// <summary>A loopback stand-in for OpenAI and Anthropic endpoints, answering with the wire bodies a test chooses.</summary>
internal sealed class LlmServer : IDisposable
{
    public const string Json = "application/json";
    public const string EventStream = "text/event-stream";

    private readonly WireMockServer _server = WireMockServer.Start();

    /// <summary>The base address, e.g. http://localhost:PORT (no trailing slash).</summary>
    public string Url => _server.Url!;

    /// <summary>How many requests reached the server.</summary>
    public int RequestCount => _server.LogEntries.Count;

    /// <summary>Answers POSTs to <paramref name="path"/> with <paramref name="body"/>.</summary>
    public LlmServer Serve(string path, string body, string contentType, int status = 200)
    {
        _server
            .Given(Request.Create().WithPath(path).UsingPost())
            .RespondWith(Response.Create().WithStatusCode(status).WithHeader("Content-Type", contentType).WithBody(body));
        return this;
    }

    /// <summary>Answers the first POST to <paramref name="path"/> with 503, and every later one with <paramref name="body"/>.</summary>
    public LlmServer ServeAfterOneFailure(string path, string body, string contentType)
    {
        _server
            .Given(Request.Create().WithPath(path).UsingPost())
            .InScenario("flaky")
            .WillSetStateTo("recovered")
            .RespondWith(Response.Create().WithStatusCode(503).WithHeader("Content-Type", Json)
                .WithBody("""{"error":{"message":"The server is overloaded.","type":"server_error"}}"""));
        _server
            .Given(Request.Create().WithPath(path).UsingPost())
            .InScenario("flaky")
            .WhenStateIs("recovered")
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", contentType).WithBody(body));
        return this;
    }

    public void Dispose() => _server.Stop();
}
