using System.ClientModel;
using System.ClientModel.Primitives;
using Anthropic;
using Microsoft.Extensions.AI;
using OpenAI;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace AiOrchestrator.Tests.Providers;

/// <summary>
/// A loopback stand-in for the OpenAI and Anthropic HTTP APIs, serving wire bodies the test chooses, and the real
/// SDK chat clients pointed at it. One instance per test: each endpoint answers every request with its last body.
/// </summary>
internal sealed class ProviderServer : IDisposable
{
    private const string Json = "application/json";
    private const string EventStream = "text/event-stream";

    private readonly WireMockServer _server = WireMockServer.Start();

    /// <summary>The server's base address, e.g. http://localhost:PORT (no trailing slash).</summary>
    public string Url => _server.Url!;

    /// <summary>Answers POST /v1/chat/completions with a JSON body.</summary>
    public ProviderServer ServeChatCompletion(string json) => Serve("/v1/chat/completions", json, Json);

    /// <summary>Answers POST /v1/chat/completions with a server-sent event stream.</summary>
    public ProviderServer ServeChatCompletionStream(string sse) => Serve("/v1/chat/completions", sse, EventStream);

    /// <summary>Answers POST /v1/responses with a JSON body.</summary>
    public ProviderServer ServeResponse(string json) => Serve("/v1/responses", json, Json);

    /// <summary>Answers POST /v1/responses with a server-sent event stream.</summary>
    public ProviderServer ServeResponseStream(string sse) => Serve("/v1/responses", sse, EventStream);

    /// <summary>Answers POST /v1/messages with a JSON body.</summary>
    public ProviderServer ServeMessage(string json) => Serve("/v1/messages", json, Json);

    /// <summary>Answers POST /v1/messages with a server-sent event stream.</summary>
    public ProviderServer ServeMessageStream(string sse) => Serve("/v1/messages", sse, EventStream);

    /// <summary>Answers POST /v1/embeddings with a JSON body.</summary>
    public ProviderServer ServeEmbeddings(string json) => Serve("/v1/embeddings", json, Json);

    /// <summary>Answers POST /v1/embeddings with an error status and body.</summary>
    public ProviderServer ServeEmbeddingsError(int status, string json) => Serve("/v1/embeddings", json, Json, status);

    /// <summary>How many requests reached the server.</summary>
    public int RequestCount => _server.LogEntries.Count;

    /// <summary>The bodies the SDKs sent, oldest first.</summary>
    public IReadOnlyList<string> RequestBodies()
    {
        var bodies = new List<string>();
        foreach (var entry in _server.LogEntries)
        {
            bodies.Add(entry.RequestMessage.Body ?? string.Empty);
        }

        return bodies;
    }

    /// <summary>The real M.E.AI chat client over the OpenAI SDK's Chat Completions client.</summary>
    public IChatClient OpenAIChat(string model) =>
        OpenAI().GetChatClient(model).AsIChatClient();

    /// <summary>
    /// The real M.E.AI chat client over the OpenAI SDK, configured for another provider's public endpoint (such as
    /// <c>https://api.groq.com/openai/v1</c>) while its transport delivers every request to this server, so the client
    /// reports that endpoint as its <c>ProviderUri</c> as it would in production.
    /// </summary>
    public IChatClient OpenAIChatAt(string publicEndpoint, string model) =>
        new OpenAIClient(
            new ApiKeyCredential("test"),
            new OpenAIClientOptions
            {
                Endpoint = new Uri(publicEndpoint),
                RetryPolicy = new ClientRetryPolicy(0),
                Transport = new System.ClientModel.Primitives.HttpClientPipelineTransport(new HttpClient(new RedirectToServer(new Uri(Url)))),
            })
        .GetChatClient(model).AsIChatClient();

    /// <summary>The real M.E.AI chat client over the OpenAI SDK's Responses client.</summary>
    public IChatClient OpenAIResponses(string model) =>
#pragma warning disable OPENAI001 // The Responses client is marked experimental in the OpenAI SDK.
        OpenAI().GetResponsesClient().AsIChatClient(model);
#pragma warning restore OPENAI001

    /// <summary>The real M.E.AI embedding generator over the OpenAI SDK's embeddings client.</summary>
    public IEmbeddingGenerator<string, Embedding<float>> OpenAIEmbeddings(string model) =>
        OpenAI().GetEmbeddingClient(model).AsIEmbeddingGenerator();

    /// <summary>The Anthropic SDK's own IChatClient.</summary>
    public IChatClient Anthropic(string model) =>
        new AnthropicClient { ApiKey = "test", BaseUrl = Url, MaxRetries = 0 }.AsIChatClient(model, 1024);

    public void Dispose() => _server.Stop();

    private OpenAIClient OpenAI() => new(
        new ApiKeyCredential("test"),
        new OpenAIClientOptions { Endpoint = new Uri(Url + "/v1"), RetryPolicy = new ClientRetryPolicy(0) });

    private ProviderServer Serve(string path, string body, string contentType, int status = 200)
    {
        _server
            .Given(Request.Create().WithPath(path).UsingPost())
            .RespondWith(Response.Create()
                .WithStatusCode(status)
                .WithHeader("Content-Type", contentType)
                .WithBody(body));
        return this;
    }

    private sealed class RedirectToServer(Uri server) : DelegatingHandler(new HttpClientHandler())
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var path = request.RequestUri!.AbsolutePath;
            var v1 = path.IndexOf("/v1/", StringComparison.Ordinal);
            request.RequestUri = new Uri(server, v1 >= 0 ? path[v1..] : path);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
