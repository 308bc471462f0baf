using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using AiOrchestrator.Tests.Providers;
using Microsoft.ML.Tokenizers;
using WireMock;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Settings;
using WireMock.Types;
using WireMock.Util;

namespace AiOrchestrator.Http.Tests.Load;

/// <summary>How the loopback OpenAI server answers; each is served under its own path prefix (<c>/{mode}/v1/chat/completions</c>).</summary>
public enum ServerMode
{
    /// <summary>A well-behaved server: JSON or SSE (with a final usage chunk when asked), honouring the output cap.</summary>
    Ok,

    /// <summary>Like <see cref="Ok"/>, but never reports usage (as some OpenAI-compatible servers do).</summary>
    NoUsage,

    /// <summary>Reports (and generates) <see cref="OpenAILoadServer.OverrunTokens"/> output tokens past the cap it was sent.</summary>
    Overrun,

    /// <summary>429 Too Many Requests with OpenAI's error body.</summary>
    RateLimited,

    /// <summary>500 with OpenAI's error body.</summary>
    ServerError,

    /// <summary>WireMock fault EMPTY_RESPONSE: the connection closes without a response.</summary>
    EmptyResponse,

    /// <summary>WireMock fault MALFORMED_RESPONSE_CHUNK: a 200 stream, part of its body, then the connection drops.</summary>
    DroppedMidStream,

    /// <summary>A 200 whose JSON body is not JSON.</summary>
    MalformedJson,

    /// <summary>A 200 event stream whose events are not JSON.</summary>
    MalformedStream,
}

/// <summary>
/// A WireMock.Net server speaking OpenAI's Chat Completions wire format (the bodies of <see cref="OpenAIWire"/>): it
/// reads each request (model, <c>max_completion_tokens</c>, <c>stream</c>, <c>stream_options.include_usage</c>,
/// messages), counts the prompt with the o200k tokenizer plus OpenAI's chat framing, and generates as many output
/// tokens as the prompt's <c>want:N</c> asks, never more than the cap (4,096 when none is sent), except in
/// <see cref="ServerMode.Overrun"/>.
/// </summary>
internal sealed partial class OpenAILoadServer : IDisposable
{
    public const string ResponseModel = "gpt-4o-mini-2024-07-18";
    public const int OverrunTokens = 20;
    public const int DefaultCap = 4096;
    public const int StreamChunks = 6;

    /// <summary>The output tokens of the fixed bodies served by the fault modes (below any cap the callers send).</summary>
    public const int FaultOutputTokens = 30;

    private static readonly Tokenizer O200k = TiktokenTokenizer.CreateForModel("gpt-4o");

    private readonly WireMockServer _server;
    private long _overrunTokens;
    private int _overrunCalls;
    private int _requests;

    public OpenAILoadServer()
    {
        _server = WireMockServer.Start(new WireMockServerSettings { MaxRequestLogCount = 16, StartAdminInterface = false });
        foreach (var mode in new[] { ServerMode.Ok, ServerMode.NoUsage, ServerMode.Overrun })
        {
            _server.Given(Request.Create().WithPath(PathOf(mode)).UsingPost())
                .RespondWith(Response.Create().WithCallback(request => Answer(mode, request)));
        }

        Serve(ServerMode.RateLimited, Response.Create().WithStatusCode(429).WithHeader("Content-Type", "application/json")
            .WithBody("""{"error":{"message":"Rate limit reached for gpt-4o-mini on requests per min (RPM): Limit 500, Used 500, Requested 1.","type":"requests","param":null,"code":"rate_limit_exceeded"}}"""));
        Serve(ServerMode.ServerError, Response.Create().WithStatusCode(500).WithHeader("Content-Type", "application/json")
            .WithBody("""{"error":{"message":"The server had an error while processing your request. Sorry about that!","type":"server_error","param":null,"code":null}}"""));
        Serve(ServerMode.EmptyResponse, Response.Create().WithFault(FaultType.EMPTY_RESPONSE));
        Serve(ServerMode.DroppedMidStream, Response.Create().WithStatusCode(200).WithHeader("Content-Type", "text/event-stream")
            .WithBody(OpenAIWire.ChatCompletionStream(ResponseModel, Pieces(FaultOutputTokens), new OpenAIWireUsage(40, FaultOutputTokens)))
            .WithFault(FaultType.MALFORMED_RESPONSE_CHUNK));
        Serve(ServerMode.MalformedJson, Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json")
            .WithBody("<html><body><h1>502 Bad Gateway</h1></body></html>"));
        Serve(ServerMode.MalformedStream, Response.Create().WithStatusCode(200).WithHeader("Content-Type", "text/event-stream")
            .WithBody("data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\" word word\"}}]}\n\ndata: {\"choices\":[{\"delta\":{\"content\":\" word\n\ndata: <html>upstream reset</html>\n\n"));
    }

    /// <summary>The base address of a mode, for <c>OpenAIClientOptions.Endpoint</c>.</summary>
    public Uri Endpoint(ServerMode mode) => new($"{_server.Url}/{Segment(mode)}/v1");

    public long OverrunTokensReported => Interlocked.Read(ref _overrunTokens);

    public int OverrunCalls => Volatile.Read(ref _overrunCalls);

    public int Requests => Volatile.Read(ref _requests);

    public void Dispose() => _server.Stop();

    private static string Segment(ServerMode mode) => mode.ToString().ToLowerInvariant();

    private static string PathOf(ServerMode mode) => $"/{Segment(mode)}/v1/chat/completions";

    private void Serve(ServerMode mode, IResponseBuilder response)
        => _server.Given(Request.Create().WithPath(PathOf(mode)).UsingPost()).RespondWith(response);

    private ResponseMessage Answer(ServerMode mode, IRequestMessage request)
    {
        Interlocked.Increment(ref _requests);
        using var json = JsonDocument.Parse(request.Body ?? "{}");
        var root = json.RootElement;
        var model = root.GetProperty("model").GetString()!;
        int? cap = root.TryGetProperty("max_completion_tokens", out var m) && m.ValueKind == JsonValueKind.Number ? m.GetInt32()
            : root.TryGetProperty("max_tokens", out var mt) && mt.ValueKind == JsonValueKind.Number ? mt.GetInt32() : null;
        var stream = root.TryGetProperty("stream", out var s) && s.ValueKind == JsonValueKind.True;
        var includeUsage = root.TryGetProperty("stream_options", out var so) && so.TryGetProperty("include_usage", out var iu) && iu.ValueKind == JsonValueKind.True;

        var input = 3;
        var wanted = 100;
        foreach (var message in root.GetProperty("messages").EnumerateArray())
        {
            var content = message.GetProperty("content");
            var text = content.ValueKind == JsonValueKind.String ? content.GetString()! : string.Concat(content.EnumerateArray().Select(p => p.GetProperty("text").GetString()));
            input += 3 + O200k.CountTokens(message.GetProperty("role").GetString()!) + O200k.CountTokens(text);
            if (WantPattern().Match(text) is { Success: true } want)
            {
                wanted = int.Parse(want.Groups[1].ValueSpan, CultureInfo.InvariantCulture);
            }
        }

        var limit = cap ?? DefaultCap;
        var output = Math.Min(wanted, limit);
        if (mode == ServerMode.Overrun)
        {
            output = limit + OverrunTokens;
            Interlocked.Add(ref _overrunTokens, OverrunTokens);
            Interlocked.Increment(ref _overrunCalls);
        }

        var usage = new OpenAIWireUsage(input, output);
        var withUsage = mode != ServerMode.NoUsage;
        var body = stream
            ? OpenAIWire.ChatCompletionStream(model == "gpt-4o-mini" ? ResponseModel : model, Pieces(output), withUsage && includeUsage ? usage : null)
            : withUsage
                ? OpenAIWire.ChatCompletion(ResponseModel, string.Concat(Pieces(output)), usage)
                : WithoutUsage(OpenAIWire.ChatCompletion(ResponseModel, string.Concat(Pieces(output)), usage));
        var response = new ResponseMessage
        {
            StatusCode = 200,
            BodyData = new BodyData { BodyAsString = body, DetectedBodyType = BodyType.String, Encoding = Encoding.UTF8 },
        };
        response.AddHeader("Content-Type", stream ? "text/event-stream" : "application/json");
        return response;
    }

    /// <summary>The body without its usage block (a server that reports none).</summary>
    private static string WithoutUsage(string body)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(body)!.AsObject();
        node.Remove("usage");
        return node.ToJsonString();
    }

    /// <summary>Output of exactly <paramref name="tokens"/> o200k tokens (" word" is one), in <see cref="StreamChunks"/> pieces.</summary>
    private static List<string> Pieces(int tokens)
    {
        var pieces = new List<string>(StreamChunks);
        var sent = 0;
        for (var chunk = 0; chunk < StreamChunks; chunk++)
        {
            var share = (tokens * (chunk + 1) / StreamChunks) - sent;
            sent += share;
            pieces.Add(string.Concat(Enumerable.Repeat(" word", share)));
        }

        return pieces;
    }

    [GeneratedRegex(@"want:(\d+)")]
    private static partial Regex WantPattern();
}
