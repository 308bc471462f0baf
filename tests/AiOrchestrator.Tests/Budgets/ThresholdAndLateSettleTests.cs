using AiOrchestrator.Budgets;
using Microsoft.Extensions.Time.Testing;
using static AiOrchestrator.Tests.Budgets.TestLedgers;

namespace AiOrchestrator.Tests.Budgets;

/// <summary>
/// Soft thresholds are fractions of the allowance (limit plus top-ups), checked after every change that posts spend
/// (settle, late settle, adjustment); a late settle is posted whole and counts an overrun only above its hold.
/// </summary>
public sealed class ThresholdAndLateSettleTests
{
    private static readonly TimeSpan Timeout = new BudgetOptions().ReservationTimeout;

    private static BudgetLedger Ledger(FakeTimeProvider time, decimal limit, IList<decimal> thresholds, string currency = "USD")
    {
        var options = new BudgetOptions();
        options.Wallets.Add(new WalletOptions { Id = User.Value, Limit = limit, Currency = currency, SoftThresholds = thresholds });
        return new BudgetLedger(options, time);
    }

    [Fact]
    public async Task Thresholds_are_fractions_of_the_limit_plus_top_ups()
    {
        var time = new FakeTimeProvider(Start);
        using var ledger = Ledger(time, 10m, [0.8m]);
        var crossed = new List<BudgetThresholdCrossedEventArgs>();
        ledger.ThresholdCrossed += (_, e) => crossed.Add(e);
        await ledger.TopUpAsync(User, Usd(2m), "top-up");

        var r = await ledger.ReserveAsync([User], Usd(7m), "r1");
        await ledger.SettleAsync(r.Id, Usd(7m), "s1");
        crossed.Should().BeEmpty("7 is below 80 % of 12");

        r = await ledger.ReserveAsync([User], Usd(3m), "r2");
        var settled = await ledger.SettleAsync(r.Id, Usd(3m), "s2");
        settled.IsLate.Should().BeFalse();
        crossed.Should().ContainSingle().Which.Allowance.Should().Be(Usd(12m));
        crossed[0].Spent.Should().Be(Usd(10m));
    }

    [Fact]
    public async Task Only_the_thresholds_reached_are_reported_as_crossed()
    {
        var time = new FakeTimeProvider(Start);
        using var ledger = Ledger(time, 10m, [0.5m, 0.8m, 1m]);
        await ledger.AdjustAsync(User, Usd(6m), "spend");
        ledger.GetWallet(User).CrossedThresholds.Should().Equal(0.5m);
    }

    [Fact]
    public async Task Thresholds_configured_out_of_order_are_checked_in_order()
    {
        var time = new FakeTimeProvider(Start);
        using var ledger = Ledger(time, 10m, [0.9m, 0.5m]);
        var crossed = new List<BudgetThresholdCrossedEventArgs>();
        ledger.ThresholdCrossed += (_, e) => crossed.Add(e);

        await ledger.AdjustAsync(User, Usd(6m), "spend");
        crossed.Select(e => e.Threshold).Should().Equal(0.5m);
        await ledger.AdjustAsync(User, Usd(3m), "more");
        crossed.Select(e => e.Threshold).Should().Equal(0.5m, 0.9m);
        ledger.GetWallet(User).CrossedThresholds.Should().Equal(0.5m, 0.9m);
    }

    [Fact]
    public async Task A_settle_that_crosses_a_threshold_and_exhausts_the_wallet_raises_both_events()
    {
        var time = new FakeTimeProvider(Start);
        using var ledger = Ledger(time, 10m, [0.8m]);
        var events = new List<EventArgs>();
        ledger.ThresholdCrossed += (_, e) => events.Add(e);
        ledger.WalletExhausted += (_, e) => events.Add(e);

        var r = await ledger.ReserveAsync([User], Usd(10m), "r");
        await ledger.SettleAsync(r.Id, Usd(10m), "s");
        events.Should().HaveCount(2);
        events[0].Should().BeOfType<BudgetThresholdCrossedEventArgs>().Which.Threshold.Should().Be(0.8m);
        events[1].Should().BeOfType<WalletExhaustedEventArgs>().Which.Spent.Should().Be(Usd(10m));
    }

    [Fact]
    public async Task A_wallet_without_allowance_reports_no_threshold_crossings()
    {
        var time = new FakeTimeProvider(Start);
        using var ledger = Ledger(time, 0m, [0.5m, 1m]);
        var crossed = new List<BudgetThresholdCrossedEventArgs>();
        ledger.ThresholdCrossed += (_, e) => crossed.Add(e);

        await ledger.AdjustAsync(User, Usd(1m), "correction");
        crossed.Should().BeEmpty("a fraction of nothing is no warning");
        ledger.GetWallet(User).CrossedThresholds.Should().BeEmpty();
    }

    [Fact]
    public async Task A_late_settle_below_its_hold_posts_the_cost_without_an_overrun_and_checks_thresholds()
    {
        var time = new FakeTimeProvider(Start);
        using var ledger = Ledger(time, 10m, [0.5m]);
        var crossed = new List<BudgetThresholdCrossedEventArgs>();
        ledger.ThresholdCrossed += (_, e) => crossed.Add(e);
        var r = await ledger.ReserveAsync([User], Usd(8m), "r");
        time.Advance(Timeout + TimeSpan.FromSeconds(1));
        ledger.Sweep();

        var late = await ledger.SettleAsync(r.Id, Usd(6m), "s");
        late.IsLate.Should().BeTrue();
        late.Posted.Should().Be(Usd(6m));
        late.Overrun.Should().Be(Usd(0m), "the cost stayed within what was held");
        late.IsOverrun.Should().BeFalse();
        var wallet = ledger.GetWallet(User);
        wallet.Spent.Should().Be(Usd(6m));
        wallet.Overruns.Should().Be(0);
        crossed.Select(e => e.Threshold).Should().Equal(0.5m);
        (await ledger.GetHistoryAsync(User)).Should().ContainSingle(t => t.Kind == WalletTransactionKind.LateSettle)
            .Which.Overrun.Should().Be(0m);
    }

    [Fact]
    public async Task A_late_settle_is_in_the_currency_of_its_wallet()
    {
        var time = new FakeTimeProvider(Start);
        using var ledger = Ledger(time, 10m, [0.5m], "EUR");
        var call = AiCallId.New(Start);
        var r = await ledger.ReserveAsync(call, 0, [User], new Money(2m, "EUR"));
        time.Advance(Timeout + TimeSpan.FromSeconds(1));
        ledger.Sweep();

        var late = await ledger.SettleAsync(call, 0, r, new Money(3m, "EUR"));
        late.IsLate.Should().BeTrue();
        late.Posted.Should().Be(new Money(3m, "EUR"));
        late.Overrun.Should().Be(new Money(1m, "EUR"));
        ledger.GetWallet(User).OverrunAmount.Should().Be(new Money(1m, "EUR"));
    }

    [Fact]
    public async Task A_hot_path_call_released_cannot_be_settled_afterwards()
    {
        var time = new FakeTimeProvider(Start);
        using var ledger = Ledger(time, 10m, [0.5m]);
        var call = AiCallId.New(Start);
        var r = await ledger.ReserveAsync(call, 0, [User], Usd(2m));
        await ledger.ReleaseAsync(call, 0, r);

        var settle = async () => await ledger.SettleAsync(call, 0, r, Usd(1m));
        (await settle.Should().ThrowAsync<ReservationAlreadyResolvedException>()).Which.Status.Should().Be(ReservationStatus.Released);
        ledger.GetWallet(User).Spent.Should().Be(Usd(0m));
    }
}
