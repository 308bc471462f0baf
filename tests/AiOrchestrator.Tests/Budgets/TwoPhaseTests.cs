using AiOrchestrator.Budgets;
using static AiOrchestrator.Tests.Budgets.TestLedgers;

namespace AiOrchestrator.Tests.Budgets;

public class TwoPhaseTests
{
    private static readonly WalletId[] Path3 = [User, Team, Org];

    [Fact]
    public async Task Reserve_holds_the_amount_on_every_wallet_of_the_path()
    {
        using var ledger = Create();
        var reservation = await ledger.ReserveAsync(Path3, Usd(4m), "r1");

        reservation.Status.Should().Be(ReservationStatus.Pending);
        reservation.Amount.Should().Be(Usd(4m));
        foreach (var id in Path3)
        {
            ledger.GetWallet(id).Reserved.Should().Be(Usd(4m));
        }

        ledger.GetWallet(User).Available.Should().Be(Usd(6m));
        await LedgerInvariants.AssertHoldAsync(ledger);
    }

    [Fact]
    public async Task Settle_posts_the_actual_cost_and_releases_the_rest()
    {
        using var ledger = Create();
        var reservation = await ledger.ReserveAsync(Path3, Usd(4m), "r1");
        var settlement = await ledger.SettleAsync(reservation.Id, Usd(1.25m), "s1");

        settlement.Posted.Should().Be(Usd(1.25m));
        settlement.Released.Should().Be(Usd(2.75m));
        settlement.IsOverrun.Should().BeFalse();
        reservation.Status.Should().Be(ReservationStatus.Settled);
        foreach (var id in Path3)
        {
            var wallet = ledger.GetWallet(id);
            wallet.Spent.Should().Be(Usd(1.25m));
            wallet.Reserved.Should().Be(Usd(0m));
        }

        ledger.GetWallet(User).Available.Should().Be(Usd(8.75m));
        await LedgerInvariants.AssertHoldAsync(ledger);
    }

    [Fact]
    public async Task Settle_above_the_reservation_posts_it_and_records_the_overrun()
    {
        using var ledger = Create();
        var reservation = await ledger.ReserveAsync(Path3, Usd(1m), "r1");
        var settlement = await ledger.SettleAsync(reservation.Id, Usd(1.5m), "s1");

        settlement.Posted.Should().Be(Usd(1.5m));
        settlement.Overrun.Should().Be(Usd(0.5m));
        settlement.Released.Should().Be(Usd(0m));
        ledger.GetWallet(User).Spent.Should().Be(Usd(1.5m));
        var history = await ledger.GetHistoryAsync(User);
        history.Single(t => t.Kind == WalletTransactionKind.Settle).Overrun.Should().Be(0.5m);
    }

    [Fact]
    public async Task Release_voids_the_reservation()
    {
        using var ledger = Create();
        var reservation = await ledger.ReserveAsync(Path3, Usd(4m), "r1");
        var receipt = await ledger.ReleaseAsync(reservation.Id, "x1");

        receipt.Amount.Should().Be(Usd(4m));
        reservation.Status.Should().Be(ReservationStatus.Released);
        ledger.GetWallet(Org).Reserved.Should().Be(Usd(0m));
        ledger.GetWallet(Org).Spent.Should().Be(Usd(0m));
        await LedgerInvariants.AssertHoldAsync(ledger);
    }

    [Fact]
    public async Task A_reservation_resolves_at_most_once()
    {
        using var ledger = Create();
        var reservation = await ledger.ReserveAsync(Path3, Usd(4m), "r1");
        await ledger.SettleAsync(reservation.Id, Usd(1m), "s1");

        var settleAgain = async () => await ledger.SettleAsync(reservation.Id, Usd(1m), "s2");
        var release = async () => await ledger.ReleaseAsync(reservation.Id, "x1");

        (await settleAgain.Should().ThrowAsync<ReservationAlreadyResolvedException>()).Which.Status.Should().Be(ReservationStatus.Settled);
        await release.Should().ThrowAsync<ReservationAlreadyResolvedException>();
        ledger.GetWallet(User).Spent.Should().Be(Usd(1m));
    }

    [Fact]
    public async Task A_reserve_the_path_cannot_cover_reserves_nothing_anywhere()
    {
        using var ledger = Create();
        await ledger.ReserveAsync([Team, Org], Usd(45m), "big");

        // The user wallet could cover 8, the team has only 5 left: all or nothing.
        var reserve = async () => await ledger.ReserveAsync(Path3, Usd(8m), "r2");
        var refused = (await reserve.Should().ThrowAsync<BudgetExceededException>()).Which;

        refused.Wallet.Should().Be(Team);
        refused.Limit.Should().Be(new BudgetLimit(Usd(50m), BudgetPeriod.Month));
        refused.Reserved.Should().Be(Usd(45m));
        refused.Spent.Should().Be(Usd(0m));
        refused.Requested.Should().Be(Usd(8m));
        refused.Available.Should().Be(Usd(5m));
        refused.ResetsAt.Should().Be(new DateTimeOffset(2026, 4, 1, 0, 0, 0, TimeSpan.Zero));
        refused.Message.Should().Contain("team:acme/search").And.Contain("2026-04-01");
        ledger.GetWallet(User).Reserved.Should().Be(Usd(0m));
        ledger.GetWallet(Org).Reserved.Should().Be(Usd(45m));
        await LedgerInvariants.AssertHoldAsync(ledger);
    }

    [Fact]
    public async Task Top_ups_refunds_and_adjustments_change_the_balance_and_are_in_the_history()
    {
        using var ledger = Create();
        await ledger.TopUpAsync(User, Usd(5m), "t1");
        var r = await ledger.ReserveAsync([User], Usd(15m), "r1");
        await ledger.SettleAsync(r.Id, Usd(12m), "s1");
        await ledger.RefundAsync(User, Usd(2m), "f1");
        await ledger.AdjustAsync(User, Usd(0.5m), "a1");
        await ledger.AdjustAsync(User, Usd(-0.25m), "a2");

        var wallet = ledger.GetWallet(User);
        wallet.TopUps.Should().Be(Usd(5m));
        wallet.Spent.Should().Be(Usd(10.25m));
        wallet.Balance.Should().Be(Usd(4.75m));
        var history = await ledger.GetHistoryAsync(User);
        history.Select(t => t.Kind).Should().Equal(
            WalletTransactionKind.Opened, WalletTransactionKind.TopUp, WalletTransactionKind.Reserve, WalletTransactionKind.Settle,
            WalletTransactionKind.Refund, WalletTransactionKind.Adjustment, WalletTransactionKind.Adjustment);
        history.Sum(t => t.BalanceChange).Should().Be(4.75m);
        history[3].IdempotencyKey.Should().Be("s1");
        history[3].ReservationId.Should().Be(r.Id);
    }

    [Fact]
    public async Task The_limit_can_change_but_not_below_what_is_spent_and_reserved()
    {
        using var ledger = Create();
        var r = await ledger.ReserveAsync([User], Usd(3m), "r1");
        await ledger.SettleAsync(r.Id, Usd(3m), "s1");
        await ledger.ReserveAsync([User], Usd(2m), "r2");

        var lower = async () => await ledger.SetLimitAsync(User, Usd(4.99m), "l1");
        var refused = (await lower.Should().ThrowAsync<BudgetLimitBelowSpendException>()).Which;
        refused.Spent.Should().Be(Usd(3m));
        refused.Reserved.Should().Be(Usd(2m));
        refused.Message.Should().Contain("at least 5");
        ledger.GetWallet(User).Limit.Amount.Should().Be(Usd(10m));

        await ledger.SetLimitAsync(User, Usd(5m), "l2");
        ledger.GetWallet(User).Limit.Amount.Should().Be(Usd(5m));
        ledger.GetWallet(User).Available.Should().Be(Usd(0m));
        await LedgerInvariants.AssertHoldAsync(ledger);
    }

    [Fact]
    public async Task Wallets_can_be_defined_at_run_time()
    {
        using var ledger = Create();
        var bob = WalletId.ForUser("acme", "search", "bob");
        await ledger.DefineWalletAsync(new WalletDefinition(bob, new BudgetLimit(Usd(2m), BudgetPeriod.Day)), "d1");

        ledger.GetWalletPath(new AiScope { Organization = "acme", Team = "search", User = "bob" }).Should().Equal(bob, Team, Org);
        var reserve = async () => await ledger.ReserveAsync([bob, Team, Org], Usd(3m), "r1");
        await reserve.Should().ThrowAsync<BudgetExceededException>();
        ledger.GetWallet(bob).ResetsAt.Should().Be(new DateTimeOffset(2026, 3, 11, 0, 0, 0, TimeSpan.Zero));
    }
}
