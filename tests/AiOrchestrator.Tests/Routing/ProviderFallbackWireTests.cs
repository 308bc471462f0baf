using System.ClientModel;
using System.ClientModel.Primitives;
using AiOrchestrator.Metering;
using AiOrchestrator.Routing;
using AiOrchestrator.Tests.Providers;
using Microsoft.Extensions.AI;
using OpenAI;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace AiOrchestrator.Tests.Routing;

/// <summary>
/// The router over the REAL OpenAI and Anthropic SDK clients against loopback servers speaking their wire formats:
/// which errors fall back, that every attempt is metered, and that the served call costs the golden amount.
/// </summary>
public sealed class ProviderFallbackWireTests : IDisposable
{
    private static readonly string[] Pieces = ["The answer ", "is ", "forty-two."];
    private static readonly ChatOptions Smart = new() { ModelId = "smart" };

    // claude-sonnet-4-5 per million: input $3, cache read $0.30, 5-minute write $3.75, 1-hour write $6, output $15.
    // 50 × 3 + 10,000 × 0.30 + 1,000 × 3.75 + 2,000 × 6 + 400 × 15 = 150 + 3,000 + 3,750 + 12,000 + 6,000 = 24,900 per million.
    private const decimal ClaudeGolden = 0.0249m;
    private static readonly AnthropicWireUsage ClaudeUsage = new(InputTokens: 50, OutputTokens: 400, CacheReadTokens: 10_000, CacheWrite5mTokens: 1_000, CacheWrite1hTokens: 2_000);

    // gpt-4o per million: input $2.50, cached input $1.25, output $10.
    // (2,006 − 1,920) × 2.50 + 1,920 × 1.25 + 300 × 10 = 215 + 2,400 + 3,000 = 5,615 per million.
    private const decimal Gpt4oGolden = 0.005615m;
    private static readonly OpenAIWireUsage Gpt4oUsage = new(PromptTokens: 2006, CompletionTokens: 300, CachedTokens: 1920);

    private readonly WireMockServer _openai = WireMockServer.Start();
    private readonly WireMockServer _anthropic = WireMockServer.Start();

    public void Dispose()
    {
        _openai.Stop();
        _anthropic.Stop();
    }

    private IChatClient Claude() => new Anthropic.AnthropicClient { ApiKey = "test", BaseUrl = _anthropic.Url!, MaxRetries = 0 }.AsIChatClient("claude-sonnet-4-5", 1024);

    private static IChatClient OpenAIChat(string url, string model) => new OpenAIClient(
        new ApiKeyCredential("test"),
        new OpenAIClientOptions { Endpoint = new Uri(url + "/v1"), RetryPolicy = new ClientRetryPolicy(0) }).GetChatClient(model).AsIChatClient();

    private RoutingTestHost Host(TimeProvider? time = null, TimeSpan? openAITimeout = null, bool anthropicFirst = false)
    {
        var openai = new RouteTarget { Name = "openai", Client = OpenAIChat(_openai.Url!, "gpt-4o"), ModelId = "gpt-4o", Timeout = openAITimeout };
        var claude = new RouteTarget { Name = "claude", Client = Claude(), ModelId = "claude-sonnet-4-5" };
        return new RoutingTestHost(o => o.Aliases["smart"] = new RouteOptions { Targets = anthropicFirst ? [claude, openai] : [openai, claude] }, time);
    }

    private void OpenAIAnswers(int status, string body = "{\"error\":{\"message\":\"nope\",\"type\":\"server_error\"}}", string? retryAfter = null, TimeSpan? delay = null)
    {
        var response = Response.Create().WithStatusCode(status).WithHeader("Content-Type", "application/json").WithBody(body);
        if (retryAfter is not null)
        {
            response = response.WithHeader("Retry-After", retryAfter);
        }

        if (delay is { } d)
        {
            response = response.WithDelay(d);
        }

        _openai.Given(Request.Create().WithPath("/v1/chat/completions").UsingPost()).RespondWith(response);
    }

    private void OpenAIServes(bool stream) => Serve(_openai, "/v1/chat/completions", 200, stream,
        stream ? OpenAIWire.ChatCompletionStream("gpt-4o-2024-08-06", Pieces, Gpt4oUsage) : OpenAIWire.ChatCompletion("gpt-4o-2024-08-06", "The answer is forty-two.", Gpt4oUsage));

    private void ClaudeAnswers(bool stream) => Serve(_anthropic, "/v1/messages", 200, stream,
        stream
            ? AnthropicWire.MessageStream("claude-sonnet-4-5-20250929", Pieces, ClaudeUsage, AnthropicDeltaUsage.Cumulative)
            : AnthropicWire.Message("claude-sonnet-4-5-20250929", "The answer is forty-two.", ClaudeUsage));

    private static void Serve(WireMockServer server, string path, int status, bool stream, string body)
        => server.Given(Request.Create().WithPath(path).UsingPost()).RespondWith(Response.Create()
            .WithStatusCode(status).WithHeader("Content-Type", stream ? "text/event-stream" : "application/json").WithBody(body));

    private static async Task<string> CallAsync(RoutingTestHost host, bool stream)
    {
        if (!stream)
        {
            return (await host.Client.GetResponseAsync("What is the answer?", Smart)).Text;
        }

        var updates = await host.StreamAsync("What is the answer?", Smart);
        return string.Concat(updates.Select(u => u.Text));
    }

    [Theory]
    [InlineData("429", false)]
    [InlineData("429", true)]
    [InlineData("500", false)]
    [InlineData("500", true)]
    [InlineData("garbage", false)]
    [InlineData("garbage", true)]
    public async Task OpenAI_failing_falls_back_to_Anthropic_which_costs_the_golden_amount(string failure, bool stream)
    {
        switch (failure)
        {
            case "429":
                OpenAIAnswers(429, "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\"}}", retryAfter: "20");
                break;
            case "500":
                OpenAIAnswers(500);
                break;
            default:
                OpenAIAnswers(200, "<html>502 Bad Gateway</html>");
                break;
        }

        ClaudeAnswers(stream);
        await using var host = Host();

        var text = await CallAsync(host, stream);

        text.Should().Be("The answer is forty-two.");
        var records = await host.RecordsAsync();
        records.Should().HaveCount(2, "every attempt is metered");
        records[1].Should().Match<UsageRecord>(r => r.Route == "claude" && r.Provider == "anthropic" && r.Outcome == CallOutcome.Succeeded && r.Streaming == stream);
        records[1].Cost.Should().Be(Money.Usd(ClaudeGolden));
        if (failure == "garbage" && stream)
        {
            // A 200 whose body holds no events is an empty stream to the SDK: the metering stage records it as a call
            // that answered nothing, with its input estimated (the provider may bill it); the router still fell back.
            records[0].Should().Match<UsageRecord>(r => r.Route == "openai" && r.Usage.IsEstimated && r.Usage.OutputTokens == 0);
            return;
        }

        records[0].Should().Match<UsageRecord>(r => r.Route == "openai" && r.Provider == "openai" && r.Outcome == CallOutcome.Failed && r.Cost.Amount == 0m);
        records.Sum(r => r.Cost.Amount).Should().Be(ClaudeGolden, "nothing is charged twice");
    }

    [Fact]
    public async Task A_429_with_retry_after_keeps_the_target_out_until_then()
    {
        OpenAIAnswers(429, "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\"}}", retryAfter: "20");
        ClaudeAnswers(stream: false);
        await using var host = Host();

        await host.Client.GetResponseAsync("first", Smart);
        await host.Client.GetResponseAsync("second", Smart);

        _openai.LogEntries.Should().HaveCount(1, "the second call skipped OpenAI, which asked for 20 s");
        host.FakeTime.Advance(TimeSpan.FromSeconds(20));
        await host.Client.GetResponseAsync("third", Smart);
        _openai.LogEntries.Should().HaveCount(2);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_slow_first_byte_times_out_and_falls_back(bool stream)
    {
        OpenAIAnswers(200, OpenAIWire.ChatCompletion("gpt-4o-2024-08-06", "late", Gpt4oUsage), delay: TimeSpan.FromSeconds(10));
        ClaudeAnswers(stream);
        await using var host = Host(TimeProvider.System, openAITimeout: TimeSpan.FromMilliseconds(300));

        var text = await CallAsync(host, stream);

        text.Should().Be("The answer is forty-two.");
        var records = await host.RecordsAsync();
        records.Select(r => r.Route).Should().Equal("openai", "claude");
        records[1].Cost.Should().Be(Money.Usd(ClaudeGolden));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_400_is_not_retried(bool stream)
    {
        OpenAIAnswers(400, "{\"error\":{\"message\":\"Invalid 'messages': empty\",\"type\":\"invalid_request_error\"}}");
        ClaudeAnswers(stream);
        await using var host = Host();

        var error = (await FluentActions.Awaiting(() => CallAsync(host, stream)).Should().ThrowAsync<ClientResultException>()).Which;

        error.Status.Should().Be(400);
        _anthropic.LogEntries.Should().BeEmpty();
        (await host.RecordsAsync()).Should().ContainSingle().Which.Outcome.Should().Be(CallOutcome.Failed);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Anthropic_overloaded_falls_back_to_OpenAI_which_costs_the_golden_amount(bool stream)
    {
        Serve(_anthropic, "/v1/messages", 529, stream: false, "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}");
        OpenAIServes(stream);
        await using var host = Host(anthropicFirst: true);

        var text = await CallAsync(host, stream);

        text.Should().Be("The answer is forty-two.");
        var records = await host.RecordsAsync();
        records.Select(r => (r.Route, r.Outcome)).Should().Equal(("claude", CallOutcome.Failed), ("openai", CallOutcome.Succeeded));
        records[1].Cost.Should().Be(Money.Usd(Gpt4oGolden));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_healthy_primary_serves_and_costs_the_golden_amount(bool stream)
    {
        OpenAIServes(stream);
        await using var host = Host();

        await CallAsync(host, stream);

        var record = (await host.RecordsAsync()).Should().ContainSingle().Subject;
        record.Should().Match<UsageRecord>(r => r.Route == "openai" && r.Model == "gpt-4o-2024-08-06" && r.Outcome == CallOutcome.Succeeded);
        record.Cost.Should().Be(Money.Usd(Gpt4oGolden));
    }

    [Fact]
    public async Task A_stream_that_dies_after_its_first_chunk_propagates_the_error_and_is_not_retried()
    {
        var first = OpenAIWire.ChatCompletionStream("gpt-4o-2024-08-06", ["The answer "], Gpt4oUsage);
        var firstTwoEvents = string.Join("\n\n", first.Split("\n\n").Take(2)) + "\n\n";
        using var cut = new CutStreamServer(firstTwoEvents);
        ClaudeAnswers(stream: true);
        await using var host = new RoutingTestHost(o => o.Aliases["smart"] = new RouteOptions
        {
            Targets =
            [
                new RouteTarget { Name = "openai", Client = OpenAIChat(cut.Url, "gpt-4o"), ModelId = "gpt-4o" },
                new RouteTarget { Name = "claude", Client = Claude(), ModelId = "claude-sonnet-4-5" },
            ],
        });
        var seen = new List<string>();

        var act = async () =>
        {
            await foreach (var update in host.Client.GetStreamingResponseAsync("What is the answer?", Smart))
            {
                seen.Add(update.Text);
            }
        };

        var error = (await act.Should().ThrowAsync<Exception>()).Which;
        error.Should().NotBeOfType<AllTargetsFailedException>();
        string.Concat(seen).Should().Be("The answer ");
        _anthropic.LogEntries.Should().BeEmpty("the caller already had output from OpenAI");
        var record = (await host.RecordsAsync()).Should().ContainSingle().Subject;
        record.Should().Match<UsageRecord>(r => r.Route == "openai" && r.Outcome == CallOutcome.Failed);
    }
}
