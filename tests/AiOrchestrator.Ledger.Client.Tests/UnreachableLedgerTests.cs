using AiOrchestrator.Budgets;
using AiOrchestrator.Ledger.Client.Tests.FakeLedger;
using AiOrchestrator.Ledger.Client.Tests.TestDoubles;
using static AiOrchestrator.Ledger.Client.Tests.TestDoubles.Wallets;

namespace AiOrchestrator.Ledger.Client.Tests;

public sealed class UnreachableLedgerTests : IAsyncLifetime
{
    private FakeLedgerServer _ledger = null!;

    public async Task InitializeAsync()
    {
        _ledger = await FakeLedgerServer.StartAsync();
        _ledger.State.AddWallet(Org.Value, 100m);
    }

    public async Task DisposeAsync() => await _ledger.DisposeAsync();

    [Fact]
    public async Task With_the_ledger_down_calls_spend_what_the_lease_holds_then_are_denied_and_the_outbox_drains_when_it_is_back()
    {
        await using var client = ClientUnderTest.Create(_ledger.Url);
        await client.Ledger.RefreshWalletsAsync(default);
        var path = client.Reservations.GetWalletPath(TeamScope);
        await LeaseSpendingTests.SpendAsync(client, path, 0.1m, count: 1);
        var leased = client.Ledger.OutstandingLeases + 0.1m;
        await _ledger.StopAsync();

        var (spent, refusal) = await SpendUntilRefusedAsync(client, path, 0.1m);

        spent.Should().Be(leased - 0.1m, "exactly what the lease still held was spent");
        refusal.Message.Should().Contain("cannot be reached").And.Contain("Deny");
        refusal.Wallet.Should().Be(Org);

        await _ledger.StartAsync();
        await DrainAsync(client);
        _ledger.State.RecordedSpend().Should().Be(leased);
        _ledger.State.Spent(Org.Value).Should().Be(leased);
        client.Ledger.UncoveredSpend.Should().Be(0m, "every call was covered by the lease");
    }

    [Fact]
    public async Task A_ledger_answering_503_counts_as_unreachable()
    {
        await using var client = ClientUnderTest.Create(_ledger.Url);
        await client.Ledger.RefreshWalletsAsync(default);
        var path = client.Reservations.GetWalletPath(TeamScope);
        _ledger.State.Unavailable = true;

        var refused = async () => await client.Reservations.ReserveAsync(AiCallId.New(DateTimeOffset.UtcNow), 0, path, Usd(0.1m));

        (await refused.Should().ThrowAsync<BudgetExceededException>()).Which.Message.Should().Contain("cannot be reached");
        client.Ledger.IsLedgerReachable.Should().BeFalse();
    }

    [Fact]
    public async Task With_a_fallback_allowance_calls_beyond_the_lease_spend_it_flagged_and_it_is_whole_again_once_the_ledger_has_the_spend()
    {
        await using var client = ClientUnderTest.Create(_ledger.Url, o =>
        {
            o.Fallback = LedgerFallback.Allowance;
            o.FallbackAllowance = 0.3m;
        });
        await client.Ledger.RefreshWalletsAsync(default);
        var path = client.Reservations.GetWalletPath(TeamScope);
        await LeaseSpendingTests.SpendAsync(client, path, 0.1m, count: 1);
        var leased = client.Ledger.OutstandingLeases + 0.1m;
        await _ledger.StopAsync();

        var (spent, refusal) = await SpendUntilRefusedAsync(client, path, 0.1m);

        spent.Should().Be(leased - 0.1m + 0.3m, "the lease, then the allowance");
        refusal.Message.Should().Contain("fallback allowance of 0.3");
        client.Ledger.FallbackSpent.Should().Be(0.3m);
        client.Ledger.UncoveredSpend.Should().Be(0.3m);

        await _ledger.StartAsync();
        await DrainAsync(client);
        _ledger.State.RecordedSpend().Should().Be(leased + 0.3m);
        _ledger.State.Records.Count(r => r.Lease is null).Should().Be(3, "fallback spend names no lease: it is posted directly");
        client.Ledger.FallbackSpent.Should().Be(0m);
    }

    [Fact]
    public async Task A_lease_that_expires_while_the_ledger_is_down_is_not_spent_from_again()
    {
        await using var client = ClientUnderTest.Create(_ledger.Url, o =>
        {
            o.MinLeaseTtl = TimeSpan.FromSeconds(2);
            o.MaxLeaseTtl = TimeSpan.FromSeconds(2);
            o.ExpiryMargin = TimeSpan.FromSeconds(1);
        });
        await client.Ledger.RefreshWalletsAsync(default);
        var path = client.Reservations.GetWalletPath(TeamScope);
        await LeaseSpendingTests.SpendAsync(client, path, 0.1m, count: 1);
        await _ledger.StopAsync();

        var deadline = DateTimeOffset.UtcNow.AddSeconds(20);
        while (client.Ledger.OutstandingLeases > 0m && DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        client.Ledger.OutstandingLeases.Should().Be(0m);
        var refused = async () => await client.Reservations.ReserveAsync(AiCallId.New(DateTimeOffset.UtcNow), 0, path, Usd(0.1m));
        await refused.Should().ThrowAsync<BudgetExceededException>();
    }

    [Fact]
    public async Task Callers_on_a_barrier_spending_through_one_lease_with_the_ledger_down_never_exceed_the_lease_plus_the_allowance()
    {
        await using var client = ClientUnderTest.Create(_ledger.Url, o =>
        {
            o.Fallback = LedgerFallback.Allowance;
            o.FallbackAllowance = 0.5m;
        });
        await client.Ledger.RefreshWalletsAsync(default);
        var path = client.Reservations.GetWalletPath(TeamScope);
        await LeaseSpendingTests.SpendAsync(client, path, 0.05m, count: 1);
        var bound = client.Ledger.OutstandingLeases + 0.5m;
        await _ledger.StopAsync();

        const int Callers = 64;
        var spent = new decimal[Callers];
        using var barrier = new Barrier(Callers);
        var threads = Enumerable.Range(0, Callers).Select(i => new Thread(() =>
        {
            barrier.SignalAndWait();
            while (true)
            {
                var call = AiCallId.New(DateTimeOffset.UtcNow);
                Reservation reservation;
                try
                {
                    reservation = client.Reservations.ReserveAsync(call, 0, path, Usd(0.05m)).AsTask().GetAwaiter().GetResult();
                }
                catch (BudgetExceededException)
                {
                    return;
                }

                client.Reservations.SettleAsync(call, 0, reservation, Usd(0.05m)).AsTask().GetAwaiter().GetResult();
                spent[i] += 0.05m;
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        var total = spent.Sum();
        total.Should().BeLessThanOrEqualTo(bound);
        total.Should().Be(bound, "every caller spends until both the lease and the allowance are used up");
        await _ledger.StartAsync();
        await DrainAsync(client);
        _ledger.State.RecordedSpend().Should().Be(total + 0.05m, "nothing settled is lost");
    }

    /// <summary>Uploads until the outbox is empty, as the background work does once the ledger answers again (its circuit breaker may still be open for a moment).</summary>
    internal static async Task DrainAsync(ClientUnderTest client)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(30);
        while (DateTimeOffset.UtcNow < deadline)
        {
            await client.Ledger.UploadAsync(default);
            if (client.Ledger.Outbox.Depth == 0)
            {
                return;
            }

            await Task.Delay(100);
        }
    }

    private static async Task<(decimal Spent, BudgetExceededException Refusal)> SpendUntilRefusedAsync(ClientUnderTest client, IReadOnlyList<WalletId> path, decimal amount)
    {
        var spent = 0m;
        for (var i = 0; i < 1000; i++)
        {
            var call = AiCallId.New(DateTimeOffset.UtcNow);
            Reservation reservation;
            try
            {
                reservation = await client.Reservations.ReserveAsync(call, 0, path, Usd(amount));
            }
            catch (BudgetExceededException ex)
            {
                return (spent, ex);
            }

            await client.Reservations.SettleAsync(call, 0, reservation, Usd(amount));
            spent += amount;
        }

        throw new InvalidOperationException("Spending was never refused.");
    }
}
