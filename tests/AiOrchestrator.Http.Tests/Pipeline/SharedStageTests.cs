using System.Text.Json.Nodes;
using AiOrchestrator.Budgets;
using AiOrchestrator.Http.Tests.TestDoubles;
using AiOrchestrator.Metering;
using AiOrchestrator.Tests.Providers;
using Microsoft.Extensions.DependencyInjection;
using Polly;

namespace AiOrchestrator.Http.Tests.Pipeline;

/// <summary>
/// The budget and metering rules the <c>IChatClient</c> pipeline has, through the <c>HttpClient</c> handlers: the
/// same stages over the same call object. The cap a budget lowers (or sets) is written into the body; an estimate
/// never settles above its reservation; a served model the catalog cannot price is charged at the requested price.
/// </summary>
public class SharedStageTests
{
    private const string Url = "http://llm.test" + Requests.ChatPath;
    private static readonly OpenAIWireUsage Usage = new(PromptTokens: 1000, CompletionTokens: 200, CachedTokens: 0);

    [Fact]
    public async Task An_unaffordable_cap_is_lowered_and_written_into_the_body_sent()
    {
        // gpt-4o: $2.50 in, $10 out per million. $0.001 covers the input and well under 1,000 output tokens.
        var handler = new CannedHandler(OpenAIWire.ChatCompletion("gpt-4o-2024-08-06", "Forty-two.", Usage), LlmServer.Json);
        await using var host = new HttpTestHost(handler, walletLimit: 0.001m);

        using (var response = await host.Client.SendAsync(Requests.Post(Url, Requests.Chat("gpt-4o", maxTokens: 1000))))
        {
            response.EnsureSuccessStatusCode();
        }

        var sent = JsonNode.Parse(handler.Requests.Single())!;
        var cap = (long)sent["max_completion_tokens"]!;
        cap.Should().BeInRange(1, 999, "the wallet cannot pay for 1,000 output tokens");
        sent["messages"]!.ToJsonString().Should().Be(JsonNode.Parse(Requests.Chat("gpt-4o"))!["messages"]!.ToJsonString(), "nothing else in the body changes");
        var reserve = (await host.HistoryAsync()).Single(t => t.Kind == WalletTransactionKind.Reserve);
        reserve.Amount.Amount.Should().BeLessThanOrEqualTo(0.001m);
    }

    [Fact]
    public async Task A_budgeted_request_without_a_cap_gets_the_default_cap_it_was_reserved_for()
    {
        var handler = new CannedHandler(OpenAIWire.ChatCompletion("gpt-4o-2024-08-06", "Forty-two.", Usage), LlmServer.Json);
        await using var host = new HttpTestHost(handler, walletLimit: 10m, configure: o => o.DefaultMaxOutputTokens = 300);

        using (var response = await host.Client.SendAsync(Requests.Post(Url, Requests.Chat("gpt-4o", maxTokens: null))))
        {
            response.EnsureSuccessStatusCode();
        }

        ((long)JsonNode.Parse(handler.Requests.Single())!["max_completion_tokens"]!).Should().Be(300);
    }

    [Fact]
    public async Task Without_a_budget_the_body_is_sent_as_written()
    {
        var handler = new CannedHandler(OpenAIWire.ChatCompletion("gpt-4o-2024-08-06", "Forty-two.", Usage), LlmServer.Json);
        await using var host = new HttpTestHost(handler);
        var body = Requests.Chat("gpt-4o", maxTokens: null);

        using (var response = await host.Client.SendAsync(Requests.Post(Url, body)))
        {
            response.EnsureSuccessStatusCode();
        }

        handler.Requests.Single().Should().Be(body);
    }

    [Fact]
    public async Task An_abandoned_stream_without_usage_settles_within_its_reservation_and_its_cap()
    {
        // The provider sends long deltas and no usage; the caller reads part of the stream and disposes it.
        var pieces = Enumerable.Repeat(string.Concat(Enumerable.Repeat("a rather long sentence of output ", 30)), 40).ToArray();
        var body = OpenAIWire.ChatCompletionStream("gpt-4o-2024-08-06", pieces, usage: null);
        await using var host = new HttpTestHost(new CannedHandler(body, LlmServer.EventStream, chunkSize: 4096), walletLimit: 10m);

        var response = await host.Client.SendAsync(Requests.Post(Url, Requests.Chat("gpt-4o", stream: true, maxTokens: 500)), HttpCompletionOption.ResponseHeadersRead);
        var stream = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[4096];
        for (var i = 0; i < 8; i++)
        {
            _ = await stream.ReadAsync(buffer);
        }

        await stream.DisposeAsync();
        response.Dispose();

        var record = (await host.RecordsAsync()).Should().ContainSingle().Subject;
        record.Outcome.Should().Be(CallOutcome.Abandoned);
        record.Usage.IsEstimated.Should().BeTrue();
        record.Usage.OutputTokens.Should().BeLessThanOrEqualTo(500, "output is charged at most up to the cap sent");
        var history = await host.HistoryAsync();
        var reserved = history.Single(t => t.Kind == WalletTransactionKind.Reserve).Amount;
        var settle = history.Single(t => t.Kind == WalletTransactionKind.Settle);
        settle.Amount.Amount.Should().BeLessThanOrEqualTo(reserved.Amount);
        settle.Amount.Should().Be(record.Cost, "the usage record and the ledger agree");
        host.Wallet.Reserved.Amount.Should().Be(0m);
    }

    [Fact]
    public async Task A_response_naming_a_model_the_catalog_cannot_price_is_charged_at_the_requested_price_and_flagged()
    {
        var handler = new CannedHandler(OpenAIWire.ChatCompletion("acme-private-deployment-7", "Forty-two.", Usage), LlmServer.Json);
        await using var host = new HttpTestHost(handler, walletLimit: 10m);

        using (var response = await host.Client.SendAsync(Requests.Post(Url, Requests.Chat("gpt-4o"))))
        {
            response.EnsureSuccessStatusCode();
        }

        // 1,000 × 2.50 + 200 × 10 per million.
        var record = (await host.RecordsAsync()).Should().ContainSingle().Subject;
        record.Cost.Should().Be(Money.Usd(0.0045m));
        record.PricedAsRequestedModel.Should().BeTrue();
        host.Wallet.Spent.Should().Be(Money.Usd(0.0045m));
    }

    [Fact]
    public async Task Retries_of_one_request_share_its_call_id()
    {
        using var server = new LlmServer().ServeAfterOneFailure(Requests.ChatPath, OpenAIWire.ChatCompletion("gpt-4o-2024-08-06", "Forty-two.", Usage), LlmServer.Json);
        await using var host = new HttpTestHost(walletLimit: 10m, client: b => b.AddStandardResilienceHandler(o =>
        {
            o.Retry.Delay = TimeSpan.Zero;
            o.Retry.BackoffType = DelayBackoffType.Constant;
            o.Retry.UseJitter = false;
        }));

        using (var response = await host.Client.PostAsync(server.Url + Requests.ChatPath, new StringContent(Requests.Chat("gpt-4o"))))
        {
            response.EnsureSuccessStatusCode();
        }

        var records = await host.RecordsAsync();
        records.Should().HaveCount(2);
        records.Select(r => r.CallId).Distinct().Should().ContainSingle().Which.Should().NotBe(Guid.Empty);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public async Task A_body_whose_max_tokens_is_zero_or_less_is_refused_before_anything_is_reserved_or_sent(long max)
    {
        var handler = new CannedHandler(OpenAIWire.ChatCompletion("gpt-4o-2024-08-06", "Forty-two.", Usage), LlmServer.Json);
        await using var host = new HttpTestHost(handler, walletLimit: 10m);

        var send = () => host.Client.SendAsync(Requests.Post(Url, Requests.Chat("gpt-4o", maxTokens: max)));

        (await send.Should().ThrowAsync<InvalidOperationException>()).WithMessage("*max tokens*at least 1*");
        handler.Requests.Should().BeEmpty();
        (await host.HistoryAsync()).Should().NotContain(t => t.Kind == WalletTransactionKind.Reserve);
    }

    [Fact]
    public async Task Without_a_client_setting_the_default_cap_is_the_budget_stages_as_in_the_chat_pipeline()
    {
        var handler = new CannedHandler(OpenAIWire.ChatCompletion("gpt-4o-2024-08-06", "Forty-two.", Usage), LlmServer.Json);
        var services = new ServiceCollection();
        services.AddAiOrchestrator(o => o.StorePath = ":memory:");
        services.AddBudgetLedger(configure: o =>
        {
            o.DefaultMaxOutputTokens = 333;
            o.Wallets.Add(new WalletOptions { Id = "org:default", Limit = 10m });
        });
        services.AddHttpClient("llm").AddAiOrchestratorHandler().ConfigurePrimaryHttpMessageHandler(() => handler);
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("llm");

        using (var response = await client.SendAsync(Requests.Post(Url, Requests.Chat("gpt-4o", maxTokens: null))))
        {
            response.EnsureSuccessStatusCode();
        }

        ((long)JsonNode.Parse(handler.Requests.Single())!["max_completion_tokens"]!).Should().Be(333);
    }

    [Fact]
    public async Task A_call_that_outlives_its_reservation_returns_its_answer_and_still_posts_its_cost()
    {
        // The default reservation timeout is ten minutes; the answer takes fifteen to read.
        var handler = new CannedHandler(OpenAIWire.ChatCompletion("gpt-4o-2024-08-06", "Forty-two.", Usage), LlmServer.Json);
        await using var host = new HttpTestHost(handler, walletLimit: 10m);
        handler.BeforeRead = _ => host.Time.Advance(TimeSpan.FromMinutes(15));

        using (var response = await host.Client.SendAsync(Requests.Post(Url, Requests.Chat("gpt-4o"))))
        {
            response.EnsureSuccessStatusCode();
            (await response.Content.ReadAsStringAsync()).Should().Contain("Forty-two.");
        }

        // 1,000 × 2.50 + 200 × 10 per million.
        host.Wallet.Spent.Should().Be(Money.Usd(0.0045m));
        host.Wallet.Reserved.Amount.Should().Be(0m);
        (await host.HistoryAsync()).Should().Contain(t => t.Kind == WalletTransactionKind.LateSettle);
    }
}
