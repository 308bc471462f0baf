using AiOrchestrator.Http.Tests.TestDoubles;
using AiOrchestrator.Metering;
using AiOrchestrator.Tests.Providers;

namespace AiOrchestrator.Http.Tests.Pipeline;

/// <summary>
/// Raw HTTP calls in the providers' real wire formats, against a loopback server: the caller reads exactly the
/// bytes the provider sent, and each call is metered at the hand-computed golden cost, streamed or buffered.
/// </summary>
public class WireFormatTests
{
    private static readonly string[] Pieces = ["The answer ", "is ", "forty-two."];

    // gpt-4o: input $2.50, cached input $1.25, output $10 per million.
    // 2,006 prompt tokens of which 1,920 cached, 300 completion tokens:
    // (2,006 − 1,920) × 2.50 + 1,920 × 1.25 + 300 × 10 = 215 + 2,400 + 3,000 = 5,615 per million = $0.005615.
    private const decimal Gpt4oGolden = 0.005615m;
    private static readonly OpenAIWireUsage Gpt4oUsage = new(PromptTokens: 2006, CompletionTokens: 300, CachedTokens: 1920);
    private static readonly TokenUsage Gpt4oNormalised = new() { InputTokens = 2006, CachedInputTokens = 1920, OutputTokens = 300 };

    // claude-sonnet-4-5: input $3, cache read $0.30, 5-minute cache write $3.75, 1-hour cache write $6, output $15 per
    // million. 50 input + 10,000 cache reads + 1,000 5-minute writes + 2,000 1-hour writes, 400 output:
    // 50 × 3 + 10,000 × 0.30 + 1,000 × 3.75 + 2,000 × 6 + 400 × 15 = 150 + 3,000 + 3,750 + 12,000 + 6,000
    // = 24,900 per million = $0.0249.
    private const decimal ClaudeGolden = 0.0249m;
    private static readonly AnthropicWireUsage ClaudeUsage = new(InputTokens: 50, OutputTokens: 400, CacheReadTokens: 10_000, CacheWrite5mTokens: 1_000, CacheWrite1hTokens: 2_000);
    private static readonly TokenUsage ClaudeNormalised = new()
    {
        InputTokens = 13_050,
        CachedInputTokens = 10_000,
        CacheWriteTokens = 1_000,
        CacheWrite1hTokens = 2_000,
        OutputTokens = 400,
    };

    public static TheoryData<string, bool> Formats => new()
    {
        { "chat", false },
        { "chat", true },
        { "responses", false },
        { "responses", true },
        { "messages", false },
        { "messages", true },
    };

    private static (string Path, string Request, string Response, string ContentType) Exchange(string format, bool stream) => format switch
    {
        "chat" => (Requests.ChatPath, Requests.Chat("gpt-4o", stream),
            stream ? OpenAIWire.ChatCompletionStream("gpt-4o-2024-08-06", Pieces, Gpt4oUsage) : OpenAIWire.ChatCompletion("gpt-4o-2024-08-06", "The answer is forty-two.", Gpt4oUsage),
            stream ? LlmServer.EventStream : LlmServer.Json),
        "responses" => (Requests.ResponsesPath, Requests.Responses("gpt-4o", stream),
            stream ? OpenAIWire.ResponseStream("gpt-4o-2024-08-06", Pieces, Gpt4oUsage) : OpenAIWire.Response("gpt-4o-2024-08-06", "The answer is forty-two.", Gpt4oUsage),
            stream ? LlmServer.EventStream : LlmServer.Json),
        _ => (Requests.MessagesPath, Requests.Messages("claude-sonnet-4-5", stream),
            stream ? AnthropicWire.MessageStream("claude-sonnet-4-5-20250929", Pieces, ClaudeUsage, AnthropicDeltaUsage.OutputOnly) : AnthropicWire.Message("claude-sonnet-4-5-20250929", "The answer is forty-two.", ClaudeUsage),
            stream ? LlmServer.EventStream : LlmServer.Json),
    };

    private static async Task<(byte[] Body, string? ContentType)> ReadAsync(HttpClient client, string url, string request, bool headersFirst)
    {
        using var message = Requests.Post(url, request);
        using var response = await client.SendAsync(message, headersFirst ? HttpCompletionOption.ResponseHeadersRead : HttpCompletionOption.ResponseContentRead);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadAsByteArrayAsync(), response.Content.Headers.ContentType?.ToString());
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task The_caller_reads_the_same_bytes_and_content_type_as_through_a_bare_HttpClient(string format, bool stream)
    {
        var (path, request, response, contentType) = Exchange(format, stream);
        using var server = new LlmServer().Serve(path, response, contentType);
        using var bare = new HttpClient();
        await using var host = new HttpTestHost();

        var expected = await ReadAsync(bare, server.Url + path, request, headersFirst: true);
        var actual = await ReadAsync(host.Client, server.Url + path, request, headersFirst: true);
        var buffered = await ReadAsync(host.Client, server.Url + path, request, headersFirst: false);

        actual.Body.Should().Equal(expected.Body);
        actual.ContentType.Should().Be(expected.ContentType).And.Be(contentType);
        buffered.Body.Should().Equal(expected.Body);
        (await host.RecordsAsync()).Should().HaveCount(2);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Each_call_is_metered_at_the_golden_cost_streamed_or_buffered(string format, bool stream)
    {
        var (path, request, response, contentType) = Exchange(format, stream);
        using var server = new LlmServer().Serve(path, response, contentType);
        await using var host = new HttpTestHost();

        await ReadAsync(host.Client, server.Url + path, request, headersFirst: true);

        var record = (await host.RecordsAsync()).Should().ContainSingle().Subject;
        record.Outcome.Should().Be(CallOutcome.Succeeded);
        record.Streaming.Should().Be(stream);
        record.Scope.Should().Be(new AiScope { Organization = "acme" });
        if (format == "messages")
        {
            record.Provider.Should().Be("anthropic-compatible");
            record.UsedFallbackProvider.Should().BeTrue("an unknown host is priced from the list of the format it speaks, and says so");
            record.Model.Should().Be("claude-sonnet-4-5-20250929");
            record.Usage.Should().Be(ClaudeNormalised);
            record.Cost.Should().Be(Money.Usd(ClaudeGolden));
        }
        else
        {
            record.Provider.Should().Be("openai-compatible");
            record.UsedFallbackProvider.Should().BeTrue("an unknown host is priced from the list of the format it speaks, and says so");
            record.Model.Should().Be("gpt-4o-2024-08-06");
            record.Usage.Should().Be(Gpt4oNormalised);
            record.Cost.Should().Be(Money.Usd(Gpt4oGolden));
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Anthropic_streams_with_cumulative_message_delta_usage_cost_the_same_as_buffered(bool cumulative)
    {
        var sse = AnthropicWire.MessageStream("claude-sonnet-4-5-20250929", Pieces, ClaudeUsage, cumulative ? AnthropicDeltaUsage.Cumulative : AnthropicDeltaUsage.OutputOnly);
        using var server = new LlmServer().Serve(Requests.MessagesPath, sse, LlmServer.EventStream);
        await using var host = new HttpTestHost(configure: o => o.Provider = "anthropic");

        await ReadAsync(host.Client, server.Url + Requests.MessagesPath, Requests.Messages("claude-sonnet-4-5", stream: true), headersFirst: false);

        var record = (await host.RecordsAsync()).Should().ContainSingle().Subject;
        record.Provider.Should().Be("anthropic");
        record.Usage.Should().Be(ClaudeNormalised);
        record.Cost.Should().Be(Money.Usd(ClaudeGolden));
    }

    [Fact]
    public async Task A_chat_stream_without_usage_is_metered_as_estimated_from_the_request_and_the_text_seen()
    {
        using var server = new LlmServer().Serve(Requests.ChatPath, OpenAIWire.ChatCompletionStream("gpt-4o-2024-08-06", Pieces, usage: null), LlmServer.EventStream);
        await using var host = new HttpTestHost();

        await ReadAsync(host.Client, server.Url + Requests.ChatPath, Requests.Chat("gpt-4o", stream: true), headersFirst: true);

        var record = (await host.RecordsAsync()).Should().ContainSingle().Subject;
        record.Outcome.Should().Be(CallOutcome.Succeeded);
        record.Usage.IsEstimated.Should().BeTrue();
        record.Usage.InputTokens.Should().BeGreaterThan(0);

        // "The answer is forty-two." is 7 o200k tokens; the estimate is conservative but of that order.
        record.Usage.OutputTokens.Should().BeInRange(7, 20);
        record.Cost.Amount.Should().BeGreaterThan(0m);
    }

    [Fact]
    public async Task Requests_that_are_not_LLM_calls_pass_through_unmetered()
    {
        using var server = new LlmServer().Serve("/v1/models", """{"data":[]}""", LlmServer.Json);
        await using var host = new HttpTestHost();

        using var response = await host.Client.PostAsync(server.Url + "/v1/models", new StringContent("not json"));

        (await response.Content.ReadAsStringAsync()).Should().Be("""{"data":[]}""");
        (await host.RecordsAsync()).Should().BeEmpty();
    }

    [Fact]
    public async Task The_scope_of_a_call_comes_from_the_request_option_then_the_ambient_scope()
    {
        using var server = new LlmServer().Serve(Requests.ChatPath, OpenAIWire.ChatCompletion("gpt-4o-2024-08-06", "Hi.", Gpt4oUsage), LlmServer.Json);
        await using var host = new HttpTestHost();

        using (var message = Requests.Post(server.Url + Requests.ChatPath, Requests.Chat("gpt-4o")))
        {
            message.Options.Set(AiRequestOptions.Scope, new AiScope { Team = "search", User = "alice" });
            (await host.Client.SendAsync(message)).Dispose();
        }

        using (AiScope.Begin("globex", "billing"))
        {
            (await host.Client.PostAsync(server.Url + Requests.ChatPath, new StringContent(Requests.Chat("gpt-4o")))).Dispose();
        }

        var records = await host.RecordsAsync();
        records.Select(r => r.Scope).Should().Equal(
            new AiScope { Organization = "acme", Team = "search", User = "alice" },
            new AiScope { Organization = "globex", Team = "billing" });
    }

    [Fact]
    public async Task A_request_without_a_model_is_refused_before_it_is_sent()
    {
        using var server = new LlmServer().Serve(Requests.ChatPath, OpenAIWire.ChatCompletion("gpt-4o", "Hi.", Gpt4oUsage), LlmServer.Json);
        await using var host = new HttpTestHost();

        var send = () => host.Client.PostAsync(server.Url + Requests.ChatPath, new StringContent("""{"messages":[{"role":"user","content":"Hi"}]}"""));

        await send.Should().ThrowAsync<InvalidOperationException>().WithMessage("*names no model*\"model\"*");
        server.RequestCount.Should().Be(0);
    }
}
