using System.Globalization;
using System.Net;
using AiOrchestrator.Ledger.Server.Tests.TestInfrastructure;

namespace AiOrchestrator.Ledger.Server.Tests.Postgres;

/// <summary>
/// Two ledger servers (Kestrel on loopback ports) on one PostgreSQL database, with clients spread over both: the
/// database alone keeps the budget, the history, usage sequences and idempotency consistent.
/// </summary>
[Collection(PostgresTestClasses.Name)]
public sealed class TwoLedgerInstancesTests(PostgresFixture postgres) : IAsyncLifetime
{
    private LedgerServerHost _a = null!;
    private LedgerServerHost _b = null!;

    public async Task InitializeAsync()
    {
        var connectionString = await postgres.CreateDatabaseAsync(nameof(TwoLedgerInstancesTests));
        string[] settings = ["--Ledger:Storage:Provider=postgres", "--Ledger:Storage:PostgresConnectionString=" + connectionString];
        var starting = new[] { LedgerServerHost.StartAsync(settings: settings), LedgerServerHost.StartAsync(settings: settings) };
        var hosts = await Task.WhenAll(starting);
        (_a, _b) = (hosts[0], hosts[1]);
        await _a.CreateOrganisationAsync("acme");
        await _a.DefineWalletAsync("acme", "org:acme", "10");
        await _b.DefineWalletAsync("acme", "team:acme/a", "100");
    }

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
    }

    [Fact]
    public async Task Concurrent_reservations_leases_and_usage_through_both_instances_never_pass_the_limit_and_lose_nothing()
    {
        var key = await _a.ClientKeyAsync("acme", "org:acme");
        var committed = 0m;
        var used = 0m;
        var refusals = 0;
        var sync = new object();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        async Task Reserver(LedgerServerHost host, int client)
        {
            await gate.Task;
            for (var round = 0; round < 12; round++)
            {
                using var reserve = await host.SendAsync(HttpMethod.Post, "/v1/organisations/acme/reservations",
                    new ReservationRequest(["team:acme/a", "org:acme"], "0.5", "USD", 60, $"c{client}-{round}"), key);
                if (reserve.StatusCode == HttpStatusCode.Conflict)
                {
                    Interlocked.Increment(ref refusals);
                    continue;
                }

                reserve.StatusCode.Should().Be(HttpStatusCode.Created, await reserve.Content.ReadAsStringAsync());
                var reservation = (ReservationResponse)System.Text.Json.JsonSerializer.Deserialize(
                    await reserve.Content.ReadAsStringAsync(), typeof(ReservationResponse), LedgerJsonContext.Default)!;

                // The other instance closes it: a commit of 0.3 or 0.5, or every fifth a release.
                var other = host == _a ? _b : _a;
                if (round % 5 == 4)
                {
                    using var release = await other.SendAsync(HttpMethod.Post, $"/v1/organisations/acme/reservations/{reservation.Id}/release", key: key);
                    release.StatusCode.Should().Be(HttpStatusCode.OK, await release.Content.ReadAsStringAsync());
                    continue;
                }

                var actual = round % 2 == 0 ? "0.3" : "0.5";
                using var commit = await other.SendAsync(HttpMethod.Post, $"/v1/organisations/acme/reservations/{reservation.Id}/commit", new CommitRequest(actual), key);
                commit.StatusCode.Should().Be(HttpStatusCode.OK, await commit.Content.ReadAsStringAsync());
                lock (sync)
                {
                    committed += decimal.Parse(actual, CultureInfo.InvariantCulture);
                }
            }
        }

        async Task Leaser(LedgerServerHost host, int client)
        {
            await gate.Task;
            var source = "outbox-" + client;
            var sequence = 0L;
            for (var round = 0; round < 4; round++)
            {
                using var take = await host.SendAsync(HttpMethod.Post, "/v1/organisations/acme/leases",
                    new LeaseRequest(["org:acme"], "1", "USD", 60, "process-" + client), key);
                if (take.StatusCode == HttpStatusCode.Conflict)
                {
                    Interlocked.Increment(ref refusals);
                    continue;
                }

                take.StatusCode.Should().Be(HttpStatusCode.Created, await take.Content.ReadAsStringAsync());
                var lease = (LeaseResponse)System.Text.Json.JsonSerializer.Deserialize(
                    await take.Content.ReadAsStringAsync(), typeof(LeaseResponse), LedgerJsonContext.Default)!;
                var records = Enumerable.Range(0, 4).Select(i => new UsageRecordRequest(
                    $"{source}-{round}-{i}", ["org:acme"], "0.2", "USD", DateTimeOffset.UtcNow, lease.Id, "acme", "openai", "gpt-4o", 100, 20)).ToList();
                var batch = new UsageBatchRequest(source, ++sequence, records);

                // Uploaded through one instance, and the same batch again through the other (a retry after a lost answer).
                var upload = await host.SendAsync<UsageBatchResponse>(HttpMethod.Post, "/v1/organisations/acme/usage", batch, key);
                var again = await (host == _a ? _b : _a).SendAsync<UsageBatchResponse>(HttpMethod.Post, "/v1/organisations/acme/usage", batch, key);
                upload.Accepted.Should().Be(4);
                again.Replayed.Should().BeTrue();
                lock (sync)
                {
                    used += 0.8m;
                }

                using var giveBack = await (host == _a ? _b : _a).SendAsync(HttpMethod.Post, $"/v1/organisations/acme/leases/{lease.Id}/return", key: key);
                giveBack.StatusCode.Should().Be(HttpStatusCode.OK, await giveBack.Content.ReadAsStringAsync());
            }
        }

        var clients = new List<Task>();
        for (var i = 0; i < 24; i++)
        {
            var client = i;
            clients.Add(Task.Run(() => Reserver(client % 2 == 0 ? _a : _b, client)));
        }

        for (var i = 0; i < 4; i++)
        {
            var client = 100 + i;
            clients.Add(Task.Run(() => Leaser(client % 2 == 0 ? _a : _b, client)));
        }

        gate.SetResult();
        await Task.WhenAll(clients);

        foreach (var host in new[] { _a, _b })
        {
            var wallet = await host.WalletAsync("acme", "org:acme");
            decimal.Parse(wallet.Spent, CultureInfo.InvariantCulture).Should().BeLessThanOrEqualTo(10m);
            decimal.Parse(wallet.Spent, CultureInfo.InvariantCulture).Should().Be(committed + used);
            wallet.Reserved.Should().Be("0");
            wallet.Leased.Should().Be("0");
        }

        refusals.Should().BePositive("the clients asked for far more than the limit, so the limit was reached");
        (await SpendInHistoryAsync("org:acme")).Should().Be(committed + used);
    }

    [Fact]
    public async Task An_idempotency_key_replayed_on_the_other_instance_returns_the_first_response()
    {
        var key = await _a.ClientKeyAsync("acme", "org:acme");
        var request = new ReservationRequest(["org:acme"], "1.5", "USD", 60, "call-1");

        using var first = await _a.SendAsync(HttpMethod.Post, "/v1/organisations/acme/reservations", request, key, idempotencyKey: "same-key");
        using var replay = await _b.SendAsync(HttpMethod.Post, "/v1/organisations/acme/reservations", request, key, idempotencyKey: "same-key");
        using var different = await _b.SendAsync(HttpMethod.Post, "/v1/organisations/acme/reservations",
            request with { Amount = "2" }, key, idempotencyKey: "same-key");

        first.StatusCode.Should().Be(HttpStatusCode.Created);
        replay.StatusCode.Should().Be(HttpStatusCode.Created);
        (await replay.Content.ReadAsStringAsync()).Should().Be(await first.Content.ReadAsStringAsync());
        await LedgerServerHost.ProblemAsync(different, 422);
        (await _b.WalletAsync("acme", "org:acme")).Reserved.Should().Be("1.5");
    }

    [Fact]
    public async Task The_same_idempotency_key_sent_to_both_instances_at_once_reserves_once()
    {
        var key = await _a.ClientKeyAsync("acme", "org:acme");
        var request = new ReservationRequest(["org:acme"], "0.25", "USD", 60, "call-2");
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sends = Enumerable.Range(0, 16).Select(i => Task.Run(async () =>
        {
            await gate.Task;
            using var response = await (i % 2 == 0 ? _a : _b).SendAsync(HttpMethod.Post, "/v1/organisations/acme/reservations", request, key, idempotencyKey: "raced-key");
            return (response.StatusCode, Body: await response.Content.ReadAsStringAsync());
        })).ToArray();
        gate.SetResult();
        var responses = await Task.WhenAll(sends);

        // Each answer is the first response or "still in progress" (409); never a second reservation.
        var created = responses.Where(r => r.StatusCode == HttpStatusCode.Created).ToList();
        created.Should().NotBeEmpty();
        created.Select(r => r.Body).Distinct().Should().ContainSingle();
        responses.Should().OnlyContain(r => r.StatusCode == HttpStatusCode.Created || r.StatusCode == HttpStatusCode.Conflict);
        (await _a.WalletAsync("acme", "org:acme")).Reserved.Should().Be("0.25");
    }

    [Fact]
    public async Task Usage_batches_keep_one_sequence_per_source_across_instances()
    {
        var key = await _a.ClientKeyAsync("acme", "org:acme");
        UsageBatchRequest Batch(long sequence) => new("outbox-x", sequence,
            [new UsageRecordRequest("x-" + sequence, ["org:acme"], "0.1", "USD", DateTimeOffset.UtcNow, null, null, null, null, 1, 1)]);

        var first = await _a.SendAsync<UsageBatchResponse>(HttpMethod.Post, "/v1/organisations/acme/usage", Batch(1), key);
        var second = await _b.SendAsync<UsageBatchResponse>(HttpMethod.Post, "/v1/organisations/acme/usage", Batch(2), key);
        using var gap = await _a.SendAsync(HttpMethod.Post, "/v1/organisations/acme/usage", Batch(4), key);
        var replay = await _a.SendAsync<UsageBatchResponse>(HttpMethod.Post, "/v1/organisations/acme/usage", Batch(2), key);

        first.Accepted.Should().Be(1);
        second.Accepted.Should().Be(1);
        (await LedgerServerHost.ProblemAsync(gap, 409)).GetProperty("expectedSequence").GetInt64().Should().Be(3);
        replay.Replayed.Should().BeTrue();
        (await _b.WalletAsync("acme", "org:acme")).Spent.Should().Be("0.2");
    }

    private async Task<decimal> SpendInHistoryAsync(string wallet)
    {
        var total = 0m;
        long? after = 0;
        while (after is not null)
        {
            var page = await _b.SendAsync<TransactionPage>(HttpMethod.Get, $"/v1/organisations/acme/transactions?wallet={wallet}&after={after}&limit=500");
            total += page.Items.Sum(t => decimal.Parse(t.SpendChange, CultureInfo.InvariantCulture));
            after = page.Next;
        }

        return total;
    }
}
