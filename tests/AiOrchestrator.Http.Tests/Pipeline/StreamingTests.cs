using System.Text;
using AiOrchestrator.Budgets;
using AiOrchestrator.Http.Tests.TestDoubles;
using AiOrchestrator.Metering;
using AiOrchestrator.Tests.Providers;

namespace AiOrchestrator.Http.Tests.Pipeline;

/// <summary>
/// Streams through an in-memory provider that hands out its bytes in chosen chunks on a fake clock: time to first
/// token, abandonment, cancellation, cut-off, garbage and truncated streams, and chunking that splits anything.
/// </summary>
public class StreamingTests
{
    private const string Url = "https://llm.example/v1/chat/completions";
    private static readonly string[] Pieces = ["The answer ", "is ", "forty-two."];
    private static readonly OpenAIWireUsage Gpt4oUsage = new(PromptTokens: 2006, CompletionTokens: 300, CachedTokens: 1920);
    private static readonly TokenUsage Gpt4oNormalised = new() { InputTokens = 2006, CachedInputTokens = 1920, OutputTokens = 300 };
    private static readonly string ChatStream = OpenAIWire.ChatCompletionStream("gpt-4o-2024-08-06", Pieces, Gpt4oUsage);

    private static async Task<Stream> OpenAsync(HttpTestHost host, string request = "")
    {
        var message = Requests.Post(Url, request.Length == 0 ? Requests.Chat("gpt-4o", stream: true) : request);
        var response = await host.Client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead);
        return await response.Content.ReadAsStreamAsync();
    }

    [Fact]
    public async Task Time_to_first_token_is_the_time_to_the_first_event_with_output()
    {
        // Each SSE event is its own chunk; the clock moves 100 ms before every read. The role chunk (read 1) has no
        // text; "The answer " is read 2, so the first token arrives 200 ms after the request was sent.
        var events = ChatStream.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        var handler = new CannedHandler(string.Concat(events.Select(e => e + "\n\n")), LlmServer.EventStream, chunkSize: events[0].Length + 2);
        await using var host = new HttpTestHost(handler);
        handler.BeforeRead = _ => host.Time.Advance(TimeSpan.FromMilliseconds(100));

        await using (var stream = await OpenAsync(host))
        {
            await stream.CopyToAsync(Stream.Null);
        }

        var record = (await host.RecordsAsync()).Should().ContainSingle().Subject;
        record.Streaming.Should().BeTrue();
        record.TimeToFirstToken.Should().Be(TimeSpan.FromMilliseconds(200));
        record.Latency.Should().BeGreaterThan(record.TimeToFirstToken!.Value);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(64)]
    [InlineData(1000)]
    public async Task Any_chunking_of_the_stream_gives_the_same_bytes_and_the_same_usage(int chunkSize)
    {
        // Also with CRLF line ends, which split across chunks at odd sizes.
        var crlf = ChatStream.Replace("\n", "\r\n", StringComparison.Ordinal);
        foreach (var body in new[] { ChatStream, crlf })
        {
            await using var host = new HttpTestHost(new CannedHandler(body, LlmServer.EventStream, chunkSize));
            using var copy = new MemoryStream();
            await using (var stream = await OpenAsync(host))
            {
                await stream.CopyToAsync(copy);
            }

            Encoding.UTF8.GetString(copy.ToArray()).Should().Be(body);
            (await host.RecordsAsync()).Should().ContainSingle().Which.Usage.Should().Be(Gpt4oNormalised);
        }
    }

    [Fact]
    public async Task An_abandoned_stream_is_recorded_as_estimated_and_its_reservation_settled_with_that_estimate()
    {
        var longText = Enumerable.Repeat("The answer is forty-two. ", 40).ToArray();
        var body = OpenAIWire.ChatCompletionStream("gpt-4o-2024-08-06", longText, Gpt4oUsage);
        await using var host = new HttpTestHost(new CannedHandler(body, LlmServer.EventStream, chunkSize: 256), walletLimit: 10m);

        var stream = await OpenAsync(host);
        var buffer = new byte[256];
        for (var i = 0; i < 8; i++)
        {
            (await stream.ReadAsync(buffer)).Should().Be(256);
        }

        await stream.DisposeAsync();

        var record = (await host.RecordsAsync()).Should().ContainSingle().Subject;
        record.Outcome.Should().Be(CallOutcome.Abandoned);
        record.Usage.IsEstimated.Should().BeTrue();
        record.Usage.InputTokens.Should().BeGreaterThan(0);
        record.Usage.OutputTokens.Should().BeGreaterThan(0).And.BeLessThan(300, "only the first 2 KB (a few events) were read");
        var history = await host.HistoryAsync();
        history.Should().ContainSingle(t => t.Kind == WalletTransactionKind.Settle).Which.Amount.Should().Be(record.Cost);
        host.Wallet.Spent.Should().Be(record.Cost);
        host.Wallet.Reserved.Amount.Should().Be(0m);
    }

    [Fact]
    public async Task Disposing_the_response_unread_records_an_abandoned_attempt_and_resolves_the_reservation()
    {
        await using var host = new HttpTestHost(new CannedHandler(ChatStream, LlmServer.EventStream), walletLimit: 10m);

        using (var message = Requests.Post(Url, Requests.Chat("gpt-4o", stream: true)))
        {
            (await host.Client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead)).Dispose();
        }

        (await host.RecordsAsync()).Should().ContainSingle().Which.Outcome.Should().Be(CallOutcome.Abandoned);
        host.Wallet.Reserved.Amount.Should().Be(0m);
        (await host.HistoryAsync()).Should().ContainSingle(t => t.Kind == WalletTransactionKind.Settle || t.Kind == WalletTransactionKind.Release);
    }

    [Fact]
    public async Task A_reader_that_stops_at_the_final_event_has_read_the_whole_answer()
    {
        await using var host = new HttpTestHost(new CannedHandler(ChatStream, LlmServer.EventStream));

        var stream = await OpenAsync(host);
        using (var reader = new StreamReader(stream))
        {
            while (await reader.ReadLineAsync() is { } line && line != "data: [DONE]")
            {
            }
        }

        var record = (await host.RecordsAsync()).Should().ContainSingle().Subject;
        record.Outcome.Should().Be(CallOutcome.Succeeded);
        record.Usage.Should().Be(Gpt4oNormalised);
    }

    [Fact]
    public async Task Cancelling_a_read_propagates_to_the_provider_and_records_a_cancelled_attempt()
    {
        var handler = new CannedHandler(ChatStream.Replace("data: [DONE]\n\n", string.Empty, StringComparison.Ordinal), LlmServer.EventStream) { HangAtEnd = true };
        await using var host = new HttpTestHost(handler, walletLimit: 10m);
        using var cancel = new CancellationTokenSource();

        var stream = await OpenAsync(host);
        var buffer = new byte[64 * 1024];
        (await stream.ReadAsync(buffer)).Should().Be(handler.BodyLength, "the whole body up to the hang comes in one read");
        var reading = stream.ReadAsync(buffer, cancel.Token).AsTask();
        await cancel.CancelAsync();

        await reading.Invoking(r => r).Should().ThrowAsync<OperationCanceledException>();
        await stream.DisposeAsync();
        var record = (await host.RecordsAsync()).Should().ContainSingle().Subject;
        record.Outcome.Should().Be(CallOutcome.Cancelled);
        record.Usage.Should().Be(Gpt4oNormalised, "the usage chunk had arrived before the cancellation");
        host.Wallet.Spent.Should().Be(record.Cost);
        host.Wallet.Reserved.Amount.Should().Be(0m);
    }

    [Fact]
    public async Task A_stream_that_runs_past_its_cap_is_cut_off_and_settled_within_its_reservation()
    {
        // No max tokens in the request, so the budget writes the default of 20 into the body; the provider ignores it
        // and streams about 300. Reading stops with a clear exception once the output is certainly past the cap.
        var longText = Enumerable.Repeat("The answer is forty-two. ", 60).ToArray();
        var body = OpenAIWire.ChatCompletionStream("gpt-4o-2024-08-06", longText, Gpt4oUsage);
        await using var host = new HttpTestHost(new CannedHandler(body, LlmServer.EventStream, chunkSize: 128), walletLimit: 10m, configure: o => o.DefaultMaxOutputTokens = 20);

        var stream = await OpenAsync(host, Requests.Chat("gpt-4o", stream: true, maxTokens: null));
        var copy = () => stream.CopyToAsync(Stream.Null);

        var cutOff = (await copy.Should().ThrowAsync<StreamCutOffException>().WithMessage("*cut off*cap of 20*")).Which;
        cutOff.MaxOutputTokens.Should().Be(20);
        cutOff.OutputTokens.Should().BeGreaterThan(20);
        await copy.Should().ThrowAsync<StreamCutOffException>("later reads fail the same way");
        await stream.DisposeAsync();

        var record = (await host.RecordsAsync()).Should().ContainSingle().Subject;
        record.Outcome.Should().Be(CallOutcome.Abandoned);
        record.Error.Should().Be("BudgetCutOff");
        record.Usage.IsEstimated.Should().BeTrue();
        record.Usage.OutputTokens.Should().Be(20, "an estimate is capped at the cap sent");
        var settle = (await host.HistoryAsync()).Should().ContainSingle(t => t.Kind == WalletTransactionKind.Settle).Subject;
        settle.Amount.Should().Be(record.Cost);
        settle.Overrun.Should().Be(0m, "without a provider report, nothing is posted beyond the reservation");
        host.Wallet.Reserved.Amount.Should().Be(0m);
    }

    [Fact]
    public async Task A_request_with_max_tokens_is_not_cut_off_by_the_estimate()
    {
        // The provider enforces max_tokens itself; the conservative estimate of a long answer must not stop it.
        var longText = Enumerable.Repeat("The answer is forty-two. ", 60).ToArray();
        var body = OpenAIWire.ChatCompletionStream("gpt-4o-2024-08-06", longText, Gpt4oUsage);
        await using var host = new HttpTestHost(new CannedHandler(body, LlmServer.EventStream, chunkSize: 128), walletLimit: 10m);

        await using (var stream = await OpenAsync(host, Requests.Chat("gpt-4o", stream: true, maxTokens: 300)))
        {
            await stream.CopyToAsync(Stream.Null);
        }

        (await host.RecordsAsync()).Should().ContainSingle().Which.Outcome.Should().Be(CallOutcome.Succeeded);
    }

    [Fact]
    public async Task A_truncated_stream_throws_a_clear_exception_and_is_charged_once_as_estimated()
    {
        var truncated = ChatStream[..(ChatStream.IndexOf("forty", StringComparison.Ordinal) + 3)];
        await using var host = new HttpTestHost(new CannedHandler(truncated, LlmServer.EventStream, chunkSize: 100), walletLimit: 10m);

        var stream = await OpenAsync(host);
        var copy = () => stream.CopyToAsync(Stream.Null);

        await copy.Should().ThrowAsync<ProviderResponseException>().WithMessage("*ended before its final event (data: [DONE])*");
        await stream.DisposeAsync();
        var record = (await host.RecordsAsync()).Should().ContainSingle().Subject;
        record.Outcome.Should().Be(CallOutcome.Failed);
        record.Error.Should().Be("TruncatedStream");
        record.Usage.IsEstimated.Should().BeTrue();
        record.Usage.OutputTokens.Should().BeGreaterThan(0);
        (await host.HistoryAsync()).Should().ContainSingle(t => t.Kind == WalletTransactionKind.Settle).Which.Amount.Should().Be(record.Cost);
        host.Wallet.Spent.Should().Be(record.Cost);
        host.Wallet.Reserved.Amount.Should().Be(0m);
    }

    [Fact]
    public async Task A_connection_lost_mid_stream_records_a_failed_attempt_with_the_usage_seen()
    {
        var broken = ChatStream[..(ChatStream.IndexOf("forty", StringComparison.Ordinal) + 3)];
        var handler = new CannedHandler(broken, LlmServer.EventStream, chunkSize: 100) { FailAtEnd = new IOException("The connection was reset.") };
        await using var host = new HttpTestHost(handler, walletLimit: 10m);

        var stream = await OpenAsync(host);
        await stream.Invoking(s => s.CopyToAsync(Stream.Null)).Should().ThrowAsync<IOException>();
        await stream.DisposeAsync();

        var record = (await host.RecordsAsync()).Should().ContainSingle().Subject;
        record.Outcome.Should().Be(CallOutcome.Failed);
        record.Error.Should().Be(nameof(IOException));
        record.Usage.IsEstimated.Should().BeTrue();
        host.Wallet.Spent.Should().Be(record.Cost);
        host.Wallet.Reserved.Amount.Should().Be(0m);
    }

    [Fact]
    public async Task A_stream_with_an_event_that_is_not_JSON_throws_a_clear_exception()
    {
        var garbage = "data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}\n\ndata: <html>Bad gateway</html>\n\ndata: [DONE]\n\n";
        await using var host = new HttpTestHost(new CannedHandler(garbage, LlmServer.EventStream), walletLimit: 10m);

        var stream = await OpenAsync(host);
        await stream.Invoking(s => s.CopyToAsync(Stream.Null)).Should().ThrowAsync<ProviderResponseException>().WithMessage("*event of its stream is not JSON*");
        await stream.DisposeAsync();

        var record = (await host.RecordsAsync()).Should().ContainSingle().Subject;
        record.Outcome.Should().Be(CallOutcome.Failed);
        record.Usage.IsEstimated.Should().BeTrue();
        host.Wallet.Spent.Should().Be(record.Cost);
        host.Wallet.Reserved.Amount.Should().Be(0m);
    }

    [Fact]
    public async Task A_buffered_response_that_is_not_JSON_throws_a_clear_exception_and_releases_the_reservation()
    {
        await using var host = new HttpTestHost(new CannedHandler("<html>502 Bad Gateway</html>", "application/json"), walletLimit: 10m);

        var send = () => host.Client.PostAsync(Url, new StringContent(Requests.Chat("gpt-4o")));

        var error = (await send.Should().ThrowAsync<ProviderResponseException>().WithMessage("*not the JSON object its API returns*")).Which;
        error.Provider.Should().Be("openai-compatible");
        error.Model.Should().Be("gpt-4o");
        var record = (await host.RecordsAsync()).Should().ContainSingle().Subject;
        record.Outcome.Should().Be(CallOutcome.Failed);
        record.Cost.Amount.Should().Be(0m);
        (await host.HistoryAsync()).Should().ContainSingle(t => t.Kind == WalletTransactionKind.Release);
        host.Wallet.Spent.Amount.Should().Be(0m);
        host.Wallet.Reserved.Amount.Should().Be(0m);
    }

    [Fact]
    public async Task Anthropic_and_responses_streams_cut_short_name_their_own_final_event()
    {
        var messages = AnthropicWire.MessageStream("claude-sonnet-4-5", Pieces, new AnthropicWireUsage(50, 400), AnthropicDeltaUsage.OutputOnly);
        var responses = OpenAIWire.ResponseStream("gpt-4o", Pieces, Gpt4oUsage);
        var cases = new[]
        {
            (Path: "/v1/messages", Request: Requests.Messages("claude-sonnet-4-5", stream: true), Body: messages[..messages.IndexOf("event: message_delta", StringComparison.Ordinal)], Final: "message_stop"),
            (Path: "/v1/responses", Request: Requests.Responses("gpt-4o", stream: true), Body: responses[..responses.IndexOf("event: response.completed", StringComparison.Ordinal)], Final: "response.completed"),
        };
        foreach (var c in cases)
        {
            await using var host = new HttpTestHost(new CannedHandler(c.Body, LlmServer.EventStream));
            using var message = Requests.Post("https://llm.example" + c.Path, c.Request);
            using var response = await host.Client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead);
            var stream = await response.Content.ReadAsStreamAsync();

            await stream.Invoking(s => s.CopyToAsync(Stream.Null)).Should().ThrowAsync<ProviderResponseException>().WithMessage($"*({c.Final})*");
            (await host.RecordsAsync()).Should().ContainSingle().Which.Error.Should().Be("TruncatedStream");
        }
    }
}
