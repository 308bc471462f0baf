using AiOrchestrator.Budgets;
using AiOrchestrator.Http.Tests.TestDoubles;
using AiOrchestrator.Metering;
using AiOrchestrator.Tests.Providers;
using Microsoft.Extensions.DependencyInjection;
using Polly;

namespace AiOrchestrator.Http.Tests.Pipeline;

/// <summary>
/// A logical call is budgeted once (reserve before sending, settle with what every attempt cost, or release), and
/// every attempt that reaches the provider is metered, because retries cost money.
/// </summary>
public class BudgetTests
{
    private static readonly string[] Pieces = ["The answer ", "is ", "forty-two."];

    // gpt-4o golden vector: (2,006 − 1,920) × 2.50 + 1,920 × 1.25 + 300 × 10 = 5,615 per million = $0.005615.
    private static readonly OpenAIWireUsage Gpt4oUsage = new(PromptTokens: 2006, CompletionTokens: 300, CachedTokens: 1920);
    private static readonly Money Gpt4oGolden = Money.Usd(0.005615m);

    private static void FastRetries(IHttpClientBuilder builder) => builder.AddStandardResilienceHandler(o =>
    {
        o.Retry.Delay = TimeSpan.Zero;
        o.Retry.BackoffType = DelayBackoffType.Constant;
        o.Retry.UseJitter = false;
    });

    [Fact]
    public async Task A_buffered_call_reserves_its_worst_case_then_settles_the_metered_cost()
    {
        using var server = new LlmServer().Serve(Requests.ChatPath, OpenAIWire.ChatCompletion("gpt-4o-2024-08-06", "Forty-two.", Gpt4oUsage), LlmServer.Json);
        await using var host = new HttpTestHost(walletLimit: 10m);

        (await host.Client.PostAsync(server.Url + Requests.ChatPath, new StringContent(Requests.Chat("gpt-4o", maxTokens: 1000)))).Dispose();

        var history = await host.HistoryAsync();
        var reserve = history.Should().ContainSingle(t => t.Kind == WalletTransactionKind.Reserve).Subject;

        // Worst case: the estimated input at $2.50 plus 1,000 output tokens at $10 per million: at least $0.01.
        reserve.Amount.Amount.Should().BeGreaterThan(0.01m).And.BeLessThan(0.0102m);
        var settle = history.Should().ContainSingle(t => t.Kind == WalletTransactionKind.Settle).Subject;
        settle.Amount.Should().Be(Gpt4oGolden);
        host.Wallet.Spent.Should().Be(Gpt4oGolden);
        host.Wallet.Reserved.Should().Be(Money.Usd(0m));
    }

    [Fact]
    public async Task A_call_the_wallet_cannot_cover_is_refused_with_a_clear_exception_and_never_sent()
    {
        using var server = new LlmServer().Serve(Requests.ChatPath, OpenAIWire.ChatCompletion("gpt-4o-2024-08-06", "Forty-two.", Gpt4oUsage), LlmServer.Json);
        // Too little for the input alone: even a one-token answer is unaffordable, so clamping cannot help.
        await using var host = new HttpTestHost(walletLimit: 0.00001m);

        var send = () => host.Client.PostAsync(server.Url + Requests.ChatPath, new StringContent(Requests.Chat("gpt-4o", maxTokens: 1000)));

        var refusal = (await send.Should().ThrowAsync<BudgetExceededException>().WithMessage("Wallet 'org:acme' cannot cover*")).Which;
        refusal.Wallet.Should().Be(HttpTestHost.Org);
        server.RequestCount.Should().Be(0);
        var record = (await host.RecordsAsync()).Should().ContainSingle().Subject;
        record.Outcome.Should().Be(CallOutcome.Rejected);
        record.Cost.Amount.Should().Be(0m);
        host.Wallet.Spent.Amount.Should().Be(0m);
        host.Wallet.Reserved.Amount.Should().Be(0m);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task With_standard_resilience_a_503_then_a_200_is_metered_twice_and_each_attempt_reserved_and_resolved(bool stream)
    {
        var body = stream ? OpenAIWire.ChatCompletionStream("gpt-4o-2024-08-06", Pieces, Gpt4oUsage) : OpenAIWire.ChatCompletion("gpt-4o-2024-08-06", "Forty-two.", Gpt4oUsage);
        using var server = new LlmServer().ServeAfterOneFailure(Requests.ChatPath, body, stream ? LlmServer.EventStream : LlmServer.Json);
        await using var host = new HttpTestHost(walletLimit: 10m, client: FastRetries);

        using (var response = await host.Client.PostAsync(server.Url + Requests.ChatPath, new StringContent(Requests.Chat("gpt-4o", stream))))
        {
            response.EnsureSuccessStatusCode();
            await response.Content.ReadAsByteArrayAsync();
        }

        server.RequestCount.Should().Be(2);
        var records = await host.RecordsAsync();
        records.Select(r => (r.Outcome, r.Error)).Should().Equal((CallOutcome.Failed, "HTTP 503"), (CallOutcome.Succeeded, (string?)null));
        records[0].Cost.Amount.Should().Be(0m);
        records[1].Cost.Should().Be(Gpt4oGolden);
        // Each attempt reserves for itself (as a routed attempt does): the failed one is released, the served one settled.
        var history = await host.HistoryAsync();
        history.Where(t => t.Kind == WalletTransactionKind.Reserve).Should().HaveCount(2);
        history.Should().ContainSingle(t => t.Kind == WalletTransactionKind.Release);
        history.Should().ContainSingle(t => t.Kind == WalletTransactionKind.Settle).Which.Amount.Should().Be(Gpt4oGolden);
        host.Wallet.Spent.Should().Be(Gpt4oGolden);
        host.Wallet.Reserved.Amount.Should().Be(0m);
    }

    [Fact]
    public async Task When_every_attempt_fails_every_reservation_is_released_and_each_attempt_recorded()
    {
        using var server = new LlmServer().Serve(Requests.ChatPath, """{"error":{"message":"overloaded"}}""", LlmServer.Json, status: 503);
        await using var host = new HttpTestHost(walletLimit: 10m, client: FastRetries);

        using var response = await host.Client.PostAsync(server.Url + Requests.ChatPath, new StringContent(Requests.Chat("gpt-4o")));

        ((int)response.StatusCode).Should().Be(503);
        var records = await host.RecordsAsync();
        records.Should().HaveCount(server.RequestCount).And.OnlyContain(r => r.Outcome == CallOutcome.Failed && r.Cost.Amount == 0m);
        server.RequestCount.Should().BeGreaterThan(1);
        var history = await host.HistoryAsync();
        history.Where(t => t.Kind == WalletTransactionKind.Reserve).Should().HaveCount(server.RequestCount);
        history.Where(t => t.Kind == WalletTransactionKind.Release).Should().HaveCount(server.RequestCount);
        host.Wallet.Spent.Amount.Should().Be(0m);
        host.Wallet.Reserved.Amount.Should().Be(0m);
    }

    [Fact]
    public async Task A_stream_is_settled_only_when_the_caller_has_read_it()
    {
        using var server = new LlmServer().Serve(Requests.ChatPath, OpenAIWire.ChatCompletionStream("gpt-4o-2024-08-06", Pieces, Gpt4oUsage), LlmServer.EventStream);
        await using var host = new HttpTestHost(walletLimit: 10m);

        using var message = Requests.Post(server.Url + Requests.ChatPath, Requests.Chat("gpt-4o", stream: true));
        using var response = await host.Client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead);

        host.Wallet.Reserved.Amount.Should().BeGreaterThan(0m, "the stream has not been read yet");
        await using (var stream = await response.Content.ReadAsStreamAsync())
        {
            await stream.CopyToAsync(Stream.Null);
        }

        host.Wallet.Reserved.Amount.Should().Be(0m);
        host.Wallet.Spent.Should().Be(Gpt4oGolden);
    }

    [Fact]
    public async Task Without_wallets_for_the_scope_nothing_is_reserved_but_the_call_is_metered()
    {
        using var server = new LlmServer().Serve(Requests.ChatPath, OpenAIWire.ChatCompletion("gpt-4o-2024-08-06", "Forty-two.", Gpt4oUsage), LlmServer.Json);
        await using var host = new HttpTestHost(walletLimit: 10m);

        using (AiScope.Begin("globex"))
        {
            (await host.Client.PostAsync(server.Url + Requests.ChatPath, new StringContent(Requests.Chat("gpt-4o")))).Dispose();
        }

        (await host.HistoryAsync()).Should().NotContain(t => t.Kind == WalletTransactionKind.Reserve);
        (await host.RecordsAsync()).Should().ContainSingle().Which.Cost.Should().Be(Gpt4oGolden);
    }
}
