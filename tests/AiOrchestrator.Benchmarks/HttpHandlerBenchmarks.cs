using AiOrchestrator.Pipeline;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using AiOrchestrator.Budgets;
using AiOrchestrator.Http;
using AiOrchestrator.Http.Pipeline;
using AiOrchestrator.Metering;
using AiOrchestrator.Pricing;
using AiOrchestrator.Tokens;
using BenchmarkDotNet.Attributes;

namespace AiOrchestrator.Benchmarks;

/// <summary>
/// The cost of the HTTP handlers on one non-streamed call with a 1 KB request: a bare HttpClient over an in-memory
/// handler that answers at once with a canned chat completion, against the same client behind the budget and
/// metering stages, without a budget and with a budget ledger (in memory); and the same for a streamed answer.
/// Goal: at most 10 µs and 4 KB added per non-streamed call. Records go to a store that keeps nothing, to measure
/// the handlers rather than the store.
/// </summary>
[MemoryDiagnoser]
public class HttpHandlerBenchmarks
{
    private const string Url = "https://llm.example/v1/chat/completions";

    private byte[] _request = null!;
    private HttpClient _bare = null!;
    private HttpClient _metered = null!;
    private HttpClient _budgeted = null!;
    private HttpClient _bareStreaming = null!;
    private HttpClient _meteredStreaming = null!;
    private BudgetLedger _ledger = null!;

    [GlobalSetup]
    public void Setup()
    {
        _request = Encoding.UTF8.GetBytes(new JsonObject
        {
            ["model"] = "gpt-4o",
            ["max_completion_tokens"] = 500,
            ["messages"] = new JsonArray(
                new JsonObject { ["role"] = "system", ["content"] = "You are a helpful assistant." },
                new JsonObject { ["role"] = "user", ["content"] = BenchmarkText.Prompt1Kb }),
        }.ToJsonString());
        var json = new CannedHandler(ChatCompletion(), "application/json");
        var sse = new CannedHandler(ChatCompletionStream(), "text/event-stream");

        var options = new BudgetOptions();
        options.Wallets.Add(new WalletOptions { Id = "org:acme", Limit = 1_000_000_000m });
        _ledger = new BudgetLedger(options);

        _bare = new HttpClient(json, disposeHandler: false);
        _metered = new HttpClient(Handlers(json, ledger: null), disposeHandler: false);
        _budgeted = new HttpClient(Handlers(json, _ledger), disposeHandler: false);
        _bareStreaming = new HttpClient(sse, disposeHandler: false);
        _meteredStreaming = new HttpClient(Handlers(sse, ledger: null), disposeHandler: false);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _bare.Dispose();
        _metered.Dispose();
        _budgeted.Dispose();
        _bareStreaming.Dispose();
        _meteredStreaming.Dispose();
        _ledger.Dispose();
    }

    [Benchmark(Baseline = true)]
    public Task<int> Bare() => SendAsync(_bare);

    [Benchmark]
    public Task<int> Metered() => SendAsync(_metered);

    [Benchmark]
    public Task<int> MeteredAndBudgeted() => SendAsync(_budgeted);

    [Benchmark]
    public Task<int> BareStreaming() => StreamAsync(_bareStreaming);

    [Benchmark]
    public Task<int> MeteredStreaming() => StreamAsync(_meteredStreaming);

    private static AiCallHandler Handlers(HttpMessageHandler provider, IBudgetLedger? ledger)
    {
        var meter = new UsageMeter(new DiscardingUsageStore(), new CostCalculator(new PricingOptions()), TokenCounter.Estimate, new AiScope { Organization = "acme" });
        AttemptStage[] stages = ledger is null
            ? [new MeteringStage(meter)]
            : [AttemptStages.CreateBudget(null, ledger, meter, new BudgetStageOptions(), null), new MeteringStage(meter)];
        var pipeline = new HttpPipeline(meter, stages, new AiScope { Organization = "acme" }, new AiHttpHandlerOptions());
        return new AiCallHandler(pipeline) { InnerHandler = new AttemptHandler(pipeline) { InnerHandler = provider } };
    }

    private static string ChatCompletion() => new JsonObject
    {
        ["id"] = "chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG",
        ["object"] = "chat.completion",
        ["created"] = 1741569952,
        ["model"] = "gpt-4o-2024-08-06",
        ["choices"] = new JsonArray(new JsonObject
        {
            ["index"] = 0,
            ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = "The answer is forty-two.", ["refusal"] = null },
            ["finish_reason"] = "stop",
        }),
        ["usage"] = new JsonObject
        {
            ["prompt_tokens"] = 260,
            ["completion_tokens"] = 7,
            ["total_tokens"] = 267,
            ["prompt_tokens_details"] = new JsonObject { ["cached_tokens"] = 0, ["audio_tokens"] = 0 },
            ["completion_tokens_details"] = new JsonObject { ["reasoning_tokens"] = 0, ["audio_tokens"] = 0 },
        },
        ["system_fingerprint"] = "fp_fc9f1d7035",
    }.ToJsonString();

    private static string ChatCompletionStream()
    {
        var sse = new StringBuilder();
        foreach (var piece in new[] { "The ", "answer ", "is ", "forty", "-two", "." })
        {
            sse.Append("data: {\"id\":\"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o-2024-08-06\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"")
                .Append(piece).Append("\"},\"finish_reason\":null}],\"usage\":null}\n\n");
        }

        sse.Append("data: {\"id\":\"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o-2024-08-06\",\"choices\":[],\"usage\":{\"prompt_tokens\":260,\"completion_tokens\":7,\"total_tokens\":267}}\n\n");
        return sse.Append("data: [DONE]\n\n").ToString();
    }

    private async Task<int> SendAsync(HttpClient client)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Url) { Content = new ByteArrayContent(_request) };
        using var response = await client.SendAsync(request).ConfigureAwait(false);
        return (int)response.StatusCode;
    }

    private async Task<int> StreamAsync(HttpClient client)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Url) { Content = new ByteArrayContent(_request) };
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
        var stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var buffer = new byte[4096];
            var total = 0;
            int read;
            while ((read = await stream.ReadAsync(buffer).ConfigureAwait(false)) > 0)
            {
                total += read;
            }

            return total;
        }
    }

    /// <summary>A provider in memory: answers every request at once with the same bytes.</summary>
    private sealed class CannedHandler(string body, string mediaType) : HttpMessageHandler
    {
        private readonly byte[] _body = Encoding.UTF8.GetBytes(body);
        private readonly MediaTypeHeaderValue _type = new(mediaType);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var content = new ByteArrayContent(_body);
            content.Headers.ContentType = _type;
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = content, RequestMessage = request });
        }
    }
}
