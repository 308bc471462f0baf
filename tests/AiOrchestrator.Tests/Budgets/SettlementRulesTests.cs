using AiOrchestrator.Budgets;
using Microsoft.Extensions.Time.Testing;
using static AiOrchestrator.Tests.Budgets.TestLedgers;

namespace AiOrchestrator.Tests.Budgets;

/// <summary>Late settles, overruns, the money floor and enum validation.</summary>
public sealed class SettlementRulesTests
{
    private static BudgetOptions ShortTimeout(string? path = null)
    {
        var options = Options(path: path);
        options.ReservationTimeout = TimeSpan.FromMinutes(2);
        return options;
    }

    [Fact]
    public async Task Settling_an_expired_reservation_posts_the_cost_in_full_and_says_it_was_late()
    {
        using var journal = new TempJournal();
        var time = new FakeTimeProvider(Start);
        await using (var ledger = Create(time, ShortTimeout(journal)))
        {
            var call = AiCallId.New(Start);
            var hot = await ledger.ReserveAsync(call, 0, [User, Org], Usd(2m));
            var keyed = await ledger.ReserveAsync([Team, Org], Usd(3m), "r");
            time.Advance(TimeSpan.FromMinutes(3));
            hot.Status.Should().Be(ReservationStatus.Expired, "the sweep expired it");
            ledger.GetWallet(Org).Reserved.Should().Be(Usd(0m));

            var late = await ledger.SettleAsync(call, 0, hot, Usd(2.5m));
            late.IsLate.Should().BeTrue();
            late.Posted.Should().Be(Usd(2.5m));
            late.Released.Should().Be(Usd(0m));
            late.Overrun.Should().Be(Usd(0.5m));
            (await ledger.SettleAsync(call, 0, hot, Usd(2.5m))).Sequence.Should().Be(late.Sequence, "a retried late settle returns the first outcome");

            var keyedLate = await ledger.SettleAsync(keyed.Id, Usd(1m), "s");
            keyedLate.IsLate.Should().BeTrue();
            keyedLate.Posted.Should().Be(Usd(1m));

            ledger.GetWallet(User).Spent.Should().Be(Usd(2.5m));
            ledger.GetWallet(Team).Spent.Should().Be(Usd(1m));
            ledger.GetWallet(Org).Spent.Should().Be(Usd(3.5m));
            ledger.GetWallet(Org).Reserved.Should().Be(Usd(0m));

            var twice = async () => await ledger.SettleAsync(keyed.Id, Usd(1m), "s2");
            (await twice.Should().ThrowAsync<ReservationAlreadyResolvedException>()).Which.Status.Should().Be(ReservationStatus.Settled);
            (await ledger.GetHistoryAsync(Org)).Count(t => t.Kind == WalletTransactionKind.LateSettle).Should().Be(2);
            await LedgerInvariants.AssertHoldAsync(ledger, allowOverspend: true);
        }

        // Replay (journal only, then snapshot) gives the same balances.
        File.Delete(journal.Path + ".snapshot");
        await using (var reopened = Create(time, ShortTimeout(journal)))
        {
            reopened.GetWallet(Org).Spent.Should().Be(Usd(3.5m));
            reopened.GetWallet(User).Spent.Should().Be(Usd(2.5m));
            reopened.GetWallet(Org).Overruns.Should().Be(1);
        }

        await using (var third = Create(time, ShortTimeout(journal)))
        {
            third.GetWallet(Org).Spent.Should().Be(Usd(3.5m));
            third.GetWallet(Org).OverrunAmount.Should().Be(Usd(0.5m));
        }
    }

    [Fact]
    public async Task Releasing_an_expired_reservation_on_the_hot_path_does_nothing()
    {
        var time = new FakeTimeProvider(Start);
        using var ledger = Create(time, ShortTimeout());
        var call = AiCallId.New(Start);
        var r = await ledger.ReserveAsync(call, 0, [User], Usd(2m));
        time.Advance(TimeSpan.FromMinutes(3));
        await ledger.ReleaseAsync(call, 0, r);
        ledger.GetWallet(User).Reserved.Should().Be(Usd(0m));
        ledger.GetWallet(User).Spent.Should().Be(Usd(0m));
        await ledger.ReleaseAsync(call, 0, r);
        (await ledger.GetHistoryAsync(User)).Should().ContainSingle(t => t.Kind == WalletTransactionKind.Expire);
    }

    [Fact]
    public async Task Overruns_are_counted_per_wallet_and_survive_a_restart()
    {
        using var journal = new TempJournal();
        var time = new FakeTimeProvider(Start);
        await using (var ledger = Create(time, Options(path: journal)))
        {
            var over = await ledger.ReserveAsync([User, Org], Usd(1m), "a");
            (await ledger.SettleAsync(over.Id, Usd(1.75m), "a-s")).Overrun.Should().Be(Usd(0.75m));
            var under = await ledger.ReserveAsync([User, Org], Usd(2m), "b");
            var settled = await ledger.SettleAsync(under.Id, Usd(0.5m), "b-s");
            settled.Overrun.Should().Be(Usd(0m), "a settle below the reservation is no overrun");
            settled.IsOverrun.Should().BeFalse();
            var exact = await ledger.ReserveAsync([User], Usd(1m), "c");
            await ledger.SettleAsync(exact.Id, Usd(1m), "c-s");

            ledger.GetWallet(User).Overruns.Should().Be(1);
            ledger.GetWallet(User).OverrunAmount.Should().Be(Usd(0.75m));
            ledger.GetWallet(Team).Overruns.Should().Be(0);
            ledger.GetWallet(Team).OverrunAmount.Should().Be(Usd(0m));
        }

        await using (var reopened = Create(time, Options(path: journal)))
        {
            reopened.GetWallet(User).Overruns.Should().Be(1);
            reopened.GetWallet(Org).OverrunAmount.Should().Be(Usd(0.75m));
        }

        File.Delete(journal.Path + ".snapshot");
        await using (var replayed = Create(time, Options(path: journal)))
        {
            replayed.GetWallet(User).Overruns.Should().Be(1);
            replayed.GetWallet(User).OverrunAmount.Should().Be(Usd(0.75m));
        }
    }

    [Fact]
    public async Task A_settle_that_spends_exactly_the_allowance_exhausts_the_wallet()
    {
        using var ledger = Create();
        var exhausted = new List<WalletExhaustedEventArgs>();
        ledger.WalletExhausted += (_, e) => exhausted.Add(e);
        var r = await ledger.ReserveAsync([User], Usd(10m), "all");
        await ledger.SettleAsync(r.Id, Usd(10m), "all-s");
        exhausted.Should().ContainSingle().Which.Wallet.Should().Be(User);
        ledger.GetAvailable([User], "USD").Should().Be(Usd(0m));
    }

    [Fact]
    public async Task A_refund_cannot_take_spend_below_zero()
    {
        using var ledger = Create(options: Options(userLimit: 1m));
        var refund = async () => await ledger.RefundAsync(User, Usd(5m), "f");
        (await refund.Should().ThrowAsync<ArgumentOutOfRangeException>())
            .WithMessage("*user:acme/search/alice*0 USD*5 USD*");
        var wallet = ledger.GetWallet(User);
        wallet.Spent.Should().Be(Usd(0m));
        wallet.Available.Should().Be(Usd(1m));

        var r = await ledger.ReserveAsync([User], Usd(1m), "r");
        await ledger.SettleAsync(r.Id, Usd(0.5m), "s");
        await ledger.RefundAsync(User, Usd(0.5m), "f2");
        ledger.GetWallet(User).Spent.Should().Be(Usd(0m));
        var giveBack = async () => await ledger.AdjustAsync(User, Usd(-0.01m), "adj");
        (await giveBack.Should().ThrowAsync<ArgumentOutOfRangeException>()).WithMessage("*user:acme/search/alice*");
        ledger.GetWallet(User).Spent.Should().Be(Usd(0m));
        (await ledger.GetHistoryAsync(User)).Should().NotContain(t => t.IdempotencyKey == "adj" || t.IdempotencyKey == "f");
    }

    [Fact]
    public async Task An_undefined_period_is_refused_naming_the_valid_values()
    {
        using var ledger = Create();
        var definition = new WalletDefinition(WalletId.ForApp("acme", "bot"), new BudgetLimit(Usd(5m), (BudgetPeriod)99));
        var define = async () => await ledger.DefineWalletAsync(definition, "d");
        (await define.Should().ThrowAsync<ArgumentOutOfRangeException>()).WithMessage("*99*Day, Week, Month, Total*");
        ledger.GetWallets().Should().HaveCount(3);

        var options = Options();
        options.Wallets.Add(new WalletOptions { Id = "app:acme/bot", Limit = 5m, Period = (BudgetPeriod)99 });
        var open = () => new BudgetLedger(options, new FakeTimeProvider(Start));
        open.Should().Throw<Exception>().Which.Message.Should().Contain("Day, Week, Month");
    }
}
