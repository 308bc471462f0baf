using AiOrchestrator.Budgets;
using AiOrchestrator.Ledger.Client.Tests.FakeLedger;
using AiOrchestrator.Ledger.Client.Tests.TestDoubles;
using static AiOrchestrator.Ledger.Client.Tests.TestDoubles.Wallets;

namespace AiOrchestrator.Ledger.Client.Tests;

public sealed class LeaseSpendingTests : IAsyncLifetime
{
    private FakeLedgerServer _ledger = null!;

    public async Task InitializeAsync()
    {
        _ledger = await FakeLedgerServer.StartAsync();
        _ledger.State.AddWallet(Org.Value, 100m);
        _ledger.State.AddWallet(Team.Value, 50m);
    }

    public async Task DisposeAsync() => await _ledger.DisposeAsync();

    [Fact]
    public async Task Calls_spend_from_one_lease_and_the_ledger_receives_every_settled_amount_as_usage_naming_that_lease()
    {
        await using var client = ClientUnderTest.Create(_ledger.Url);
        await client.Ledger.RefreshWalletsAsync(default);
        var path = client.Reservations.GetWalletPath(TeamScope);
        path.Should().Equal(Team, Org);

        for (var i = 0; i < 5; i++)
        {
            var call = AiCallId.New(DateTimeOffset.UtcNow);
            var reservation = await client.Reservations.ReserveAsync(call, 0, path, Usd(0.1m));
            await client.Reservations.SettleAsync(call, 0, reservation, Usd(0.05m));
        }

        _ledger.State.LeaseTakes.Should().Be(1, "every call after the first is covered by the lease without a request");
        (await client.Ledger.UploadAsync(default)).Should().Be(5);

        _ledger.State.Records.Should().HaveCount(5).And.OnlyContain(r => r.Lease != null && r.Wallets.SequenceEqual(new[] { Team.Value, Org.Value }));
        _ledger.State.RecordedSpend().Should().Be(0.25m);
        _ledger.State.Spent(Org.Value).Should().Be(0.25m);
        _ledger.State.Spent(Team.Value).Should().Be(0.25m);
        client.Ledger.Outbox.Depth.Should().Be(0, "uploaded records leave the outbox");
    }

    [Fact]
    public async Task A_lease_running_low_is_renewed_and_grown_in_the_background_so_later_calls_need_no_request()
    {
        await using var client = ClientUnderTest.Create(_ledger.Url, o => o.MaxLeaseAmount = 5m);
        await client.Ledger.RefreshWalletsAsync(default);
        var path = client.Reservations.GetWalletPath(TeamScope);
        await SpendAsync(client, path, 0.4m, count: 3);
        _ledger.State.LeaseTakes.Should().Be(1, "the first call took a lease of what it needed plus the target size (1.40)");

        await client.Ledger.SyncAsync(default);

        _ledger.State.LeaseRenewals.Should().BeGreaterThan(0, "the lease held less than half its target size");
        var takesBefore = _ledger.State.LeaseTakes;
        await SpendAsync(client, path, 0.5m, count: 1);
        _ledger.State.LeaseTakes.Should().Be(takesBefore);
        _ledger.State.LeaseRenewals.Should().Be(1, "the renewed lease covered the call without a request on the request path");
    }

    [Fact]
    public async Task An_idle_lease_is_returned_and_its_unspent_part_goes_back_to_the_wallets()
    {
        await using var client = ClientUnderTest.Create(_ledger.Url, o => o.IdleLeaseReturn = TimeSpan.FromMilliseconds(50));
        await client.Ledger.RefreshWalletsAsync(default);
        var path = client.Reservations.GetWalletPath(TeamScope);
        await SpendAsync(client, path, 0.25m, count: 1);
        await client.Ledger.UploadAsync(default);
        _ledger.State.Leased(Org.Value, DateTimeOffset.UtcNow).Should().BeGreaterThan(0m);

        await Task.Delay(100);
        await client.Ledger.SyncAsync(default);

        _ledger.State.LeaseReturns.Should().Be(1);
        _ledger.State.Leased(Org.Value, DateTimeOffset.UtcNow).Should().Be(0m);
        _ledger.State.Spent(Org.Value).Should().Be(0.25m);
    }

    [Fact]
    public async Task A_settle_above_what_the_lease_holds_is_still_spent_recorded_and_counted_as_uncovered()
    {
        await using var client = ClientUnderTest.Create(_ledger.Url);
        await client.Ledger.RefreshWalletsAsync(default);
        var path = client.Reservations.GetWalletPath(TeamScope);
        var call = AiCallId.New(DateTimeOffset.UtcNow);
        var reservation = await client.Reservations.ReserveAsync(call, 0, path, Usd(0.9m));

        var settlement = await client.Reservations.SettleAsync(call, 0, reservation, Usd(2.5m));

        settlement.IsOverrun.Should().BeTrue();
        settlement.Overrun.Should().Be(Usd(1.6m));
        client.Ledger.UncoveredSpend.Should().Be(0.6m, "the lease granted 1.90 (the call's 0.90 plus the target size) and 2.50 was spent from it");
        await client.Ledger.UploadAsync(default);
        _ledger.State.Spent(Org.Value).Should().Be(2.5m);
    }

    [Fact]
    public async Task A_call_the_wallets_cannot_cover_is_refused_with_the_wallet_and_nothing_is_held()
    {
        _ledger.State.Wallets[Org.Value].Limit = 0.5m;
        await using var client = ClientUnderTest.Create(_ledger.Url);
        await client.Ledger.RefreshWalletsAsync(default);
        var path = client.Reservations.GetWalletPath(TeamScope);
        await SpendAsync(client, path, 0.2m, count: 1);

        var refused = async () => await client.Reservations.ReserveAsync(AiCallId.New(DateTimeOffset.UtcNow), 0, path, Usd(0.4m));

        var error = (await refused.Should().ThrowAsync<BudgetExceededException>()).Which;
        error.Wallet.Should().Be(Org);
        error.Requested.Should().Be(Usd(0.4m));
        error.Message.Should().Contain("refused").And.Contain("org:acme").And.Contain("top it up");
        client.Ledger.OutstandingLeases.Should().Be(0.3m, "the lease still holds what the first call did not spend");
    }

    [Fact]
    public async Task A_scope_with_no_wallet_at_the_ledger_is_not_limited_and_other_organisations_are_not_asked_for()
    {
        await using var client = ClientUnderTest.Create(_ledger.Url);
        await client.Ledger.RefreshWalletsAsync(default);

        client.Reservations.GetWalletPath(new AiScope { Organization = "acme", Team = "search", User = "bob" }).Should().Equal(Team, Org);
        client.Reservations.GetWalletPath(new AiScope { Organization = "other" }).Should().BeEmpty();
    }

    [Fact]
    public async Task Before_the_ledger_has_listed_its_wallets_every_wallet_of_the_organisation_on_the_path_is_budgeted()
    {
        await using var client = ClientUnderTest.Create(_ledger.Url);

        client.Reservations.GetWalletPath(TeamScope).Should().Equal(Team, Org);
        client.Reservations.GetWalletPath(new AiScope { Organization = "other" }).Should().BeEmpty();
    }

    internal static async Task SpendAsync(ClientUnderTest client, IReadOnlyList<WalletId> path, decimal amount, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var call = AiCallId.New(DateTimeOffset.UtcNow);
            var reservation = await client.Reservations.ReserveAsync(call, 0, path, Usd(amount));
            await client.Reservations.SettleAsync(call, 0, reservation, Usd(amount));
        }
    }
}
