using System.Globalization;
using AiOrchestrator.Budgets;
using AiOrchestrator.Ledger.Client.Tests.TestDoubles;
using AiOrchestrator.Metering;
using AiOrchestrator.Tests.TestDoubles;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using static AiOrchestrator.Ledger.Client.Tests.TestDoubles.Wallets;

namespace AiOrchestrator.Ledger.Client.Tests.Integration;

/// <summary>The client against the REAL ledger server (a child process on loopback, LiteDB).</summary>
public sealed class RealLedgerTests : IAsyncLifetime
{
    private RealLedgerServer _ledger = null!;
    private string _key = null!;

    public async Task InitializeAsync()
    {
        _ledger = await RealLedgerServer.LaunchAsync();
        await _ledger.CreateOrganisationAsync("acme");
        await _ledger.DefineWalletAsync("acme", Org.Value, 10m);
        await _ledger.DefineWalletAsync("acme", Team.Value, 8m);
        _key = await _ledger.ClientKeyAsync("acme", Org.Value);
    }

    public async Task DisposeAsync() => await _ledger.DisposeAsync();

    [Fact]
    public async Task Calls_through_the_budget_stage_spend_from_leases_and_the_ledgers_spend_equals_the_usage_records()
    {
        await using var client = ClientUnderTest.Create(_ledger.Url, apiKey: _key);
        await client.StartAsync();
        var provider = new TestChatClient
        {
            GetResponseAsyncCallback = (_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok"))
            {
                ModelId = "gpt-4o",
                Usage = new UsageDetails { InputTokenCount = 1200, OutputTokenCount = 300 },
            }),
        };
        var chat = new ChatClientBuilder(provider).UseAiOrchestrator().Build(client.Services);
        using (AiScope.Begin(TeamScope))
        {
            for (var i = 0; i < 20; i++)
            {
                await chat.GetResponseAsync("hello", new ChatOptions { ModelId = "gpt-4o", MaxOutputTokens = 400 });
            }
        }

        await client.StopAsync();

        var store = client.Services.GetRequiredService<IUsageStore>();
        await store.FlushAsync();
        var localCost = (await store.GetRecordsAsync(new SpendQuery())).Sum(r => r.Cost.Amount);
        localCost.Should().BeGreaterThan(0m);
        var org = await _ledger.WalletAsync("acme", Org.Value);
        var team = await _ledger.WalletAsync("acme", Team.Value);
        Amount(org.Spent).Should().Be(localCost, "the ledger's spend is the sum of the usage records");
        Amount(team.Spent).Should().Be(localCost);
        Amount(org.Leased).Should().Be(0m, "the leases were returned when the host stopped");
        var byModel = await _ledger.SpendByModelAsync("acme");
        byModel.Rows.Should().ContainSingle(r => r.Key.Contains("gpt-4o") && r.Records == 20 && r.InputTokens == 20 * 1200);
    }

    [Fact]
    public async Task A_batch_uploaded_again_after_a_lost_reply_is_a_replay_and_changes_nothing()
    {
        await using var client = ClientUnderTest.Create(_ledger.Url, apiKey: _key);
        await client.Ledger.RefreshWalletsAsync(default);
        await LeaseSpendingTests.SpendAsync(client, client.Reservations.GetWalletPath(TeamScope), 0.25m, count: 4);
        await client.Ledger.Outbox.FlushAsync();

        // The batch reaches the ledger but its reply is lost: the client still holds it as in flight.
        var (sequence, records) = client.Ledger.Outbox.NextBatch(1000);
        using (var http = new HttpClient { BaseAddress = _ledger.Url })
        {
            http.DefaultRequestHeaders.Authorization = new("Bearer", _key);
            var body = System.Text.Json.JsonSerializer.Serialize(new UsageBatchRequest(client.Ledger.Outbox.Source, sequence, [.. records.Select(r => r.ToRequest())]), LedgerJsonContext.Default.UsageBatchRequest);
            using var request = new HttpRequestMessage(HttpMethod.Post, "v1/organisations/acme/usage") { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
            request.Headers.Add("Idempotency-Key", "lost-reply");
            using var response = await http.SendAsync(request);
            response.IsSuccessStatusCode.Should().BeTrue(await response.Content.ReadAsStringAsync());
        }

        (await client.Ledger.UploadAsync(default)).Should().Be(4);

        Amount((await _ledger.WalletAsync("acme", Org.Value)).Spent).Should().Be(1m, "the second upload of the batch was a replay");
        client.Ledger.Outbox.Depth.Should().Be(0);
    }

    [Fact]
    public async Task The_ledger_stopped_and_restarted_mid_run_loses_nothing_and_the_org_never_overspends_with_deny()
    {
        await using var client = ClientUnderTest.Create(_ledger.Url, o =>
        {
            o.SyncInterval = TimeSpan.FromMilliseconds(50);
            o.UploadInterval = TimeSpan.FromMilliseconds(100);
            o.MaxLeaseAmount = 2m;
        }, apiKey: _key);
        await client.StartAsync();
        var path = client.Reservations.GetWalletPath(TeamScope);
        var settled = 0m;
        var refusedWhileDown = 0;

        settled += await SpendAsync(client, path, 0.05m, count: 20);
        await _ledger.StopAsync();
        for (var i = 0; i < 200; i++)
        {
            var spent = await TrySpendAsync(client, path, 0.05m);
            settled += spent;
            refusedWhileDown += spent == 0m ? 1 : 0;
        }

        await _ledger.StartAsync();
        settled += await SpendAsync(client, path, 0.05m, count: 20);
        await WaitForAsync(() => client.Ledger.Outbox.Depth == 0);
        await client.StopAsync();

        refusedWhileDown.Should().BeGreaterThan(0, "once the lease was spent, calls were denied while the ledger was down");
        var org = await _ledger.WalletAsync("acme", Org.Value);
        Amount(org.Spent).Should().Be(settled, "every settled call reached the ledger once");
        Amount(org.Spent).Should().BeLessThanOrEqualTo(10m);
        client.Ledger.UncoveredSpend.Should().Be(0m);
    }

    [Fact]
    public async Task With_a_fallback_allowance_the_org_overspends_at_most_by_the_allowance_and_every_call_is_recorded()
    {
        await using var client = ClientUnderTest.Create(_ledger.Url, o =>
        {
            o.Fallback = LedgerFallback.Allowance;
            o.FallbackAllowance = 0.5m;
        }, apiKey: _key);
        await client.Ledger.RefreshWalletsAsync(default);
        var path = client.Reservations.GetWalletPath(TeamScope);

        // Spend the team wallet (8.00) almost to its limit, then lose the ledger.
        var settled = await SpendAsync(client, path, 0.5m, count: 15);
        await client.Ledger.UploadAsync(default);
        await _ledger.StopAsync(kill: true);
        for (var i = 0; i < 50; i++)
        {
            settled += await TrySpendAsync(client, path, 0.1m);
        }

        await _ledger.StartAsync();
        await UnreachableLedgerTests.DrainAsync(client);

        var team = await _ledger.WalletAsync("acme", Team.Value);
        Amount(team.Spent).Should().Be(settled);
        (Amount(team.Spent) - 8m).Should().BeLessThanOrEqualTo(0.5m, "overspend is bounded by the outstanding leases (all spent within the limit) plus the allowance");
        client.Ledger.FallbackSpent.Should().Be(0m, "the ledger has the fallback spend, so the allowance is whole again");
    }

    [Fact]
    public async Task Two_processes_spending_concurrently_against_one_org_limit_never_exceed_it_and_lose_nothing()
    {
        await using var first = ClientUnderTest.Create(_ledger.Url, apiKey: _key);
        await using var second = ClientUnderTest.Create(_ledger.Url, apiKey: _key);
        await first.Ledger.RefreshWalletsAsync(default);
        await second.Ledger.RefreshWalletsAsync(default);
        var clients = new[] { first, second };
        const int Callers = 16;
        var spent = new decimal[Callers];
        using var barrier = new Barrier(Callers);
        var threads = Enumerable.Range(0, Callers).Select(i => new Thread(() =>
        {
            var client = clients[i % 2];
            var path = client.Reservations.GetWalletPath(new AiScope { Organization = "acme" });
            barrier.SignalAndWait();
            for (var refusals = 0; refusals < 3;)
            {
                var amount = TrySpendAsync(client, path, 0.07m).GetAwaiter().GetResult();
                spent[i] += amount;
                refusals += amount == 0m ? 1 : 0;
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        await first.Ledger.UploadAsync(default);
        await second.Ledger.UploadAsync(default);

        var org = await _ledger.WalletAsync("acme", Org.Value);
        Amount(org.Spent).Should().Be(spent.Sum());
        Amount(org.Spent).Should().BeLessThanOrEqualTo(10m);
        // Each process may stop with up to one lease (1.00 plus a call) unspent, held until it is returned.
        Amount(org.Spent).Should().BeGreaterThan(10m - (2 * 1.07m) - 0.07m, "the callers spent until the leases could not grow");
    }

    private static decimal Amount(string text) => decimal.Parse(text, CultureInfo.InvariantCulture);

    private static async Task<decimal> SpendAsync(ClientUnderTest client, IReadOnlyList<WalletId> path, decimal amount, int count)
    {
        await LeaseSpendingTests.SpendAsync(client, path, amount, count);
        return amount * count;
    }

    private static async Task<decimal> TrySpendAsync(ClientUnderTest client, IReadOnlyList<WalletId> path, decimal amount)
    {
        var call = AiCallId.New(DateTimeOffset.UtcNow);
        Reservation reservation;
        try
        {
            reservation = await client.Reservations.ReserveAsync(call, 0, path, Usd(amount));
        }
        catch (BudgetExceededException)
        {
            return 0m;
        }

        await client.Reservations.SettleAsync(call, 0, reservation, Usd(amount));
        return amount;
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(60);
        while (!condition() && DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
    }
}
