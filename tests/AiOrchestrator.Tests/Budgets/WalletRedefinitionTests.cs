using AiOrchestrator.Budgets;
using Microsoft.Extensions.Time.Testing;
using static AiOrchestrator.Tests.Budgets.TestLedgers;

namespace AiOrchestrator.Tests.Budgets;

/// <summary>
/// Redefining a wallet at run time: a new period or time zone moves the period boundaries to the new calendar from
/// now on (spend so far stays counted); a new limit alone keeps them; new soft thresholds start uncrossed, the same
/// thresholds stay crossed.
/// </summary>
public sealed class WalletRedefinitionTests
{
    private static readonly DateTimeOffset MarchStart = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    private static WalletDefinition Define(decimal limit, BudgetPeriod period = BudgetPeriod.Month, string timeZone = "UTC", IReadOnlyList<decimal>? thresholds = null)
        => new(User, new BudgetLimit(Usd(limit), period)) { TimeZone = timeZone, SoftThresholds = thresholds ?? [0.5m] };

    private static async Task<BudgetLedger> LedgerWithSpendAsync(FakeTimeProvider time, decimal spend)
    {
        var ledger = new BudgetLedger(new BudgetOptions(), time);
        await ledger.DefineWalletAsync(Define(10m), "define");
        await ledger.AdjustAsync(User, Usd(spend), "spend");
        return ledger;
    }

    [Fact]
    public async Task A_new_limit_alone_keeps_the_period_boundaries()
    {
        var time = new FakeTimeProvider(Start);
        using var ledger = await LedgerWithSpendAsync(time, 3m);

        await ledger.DefineWalletAsync(Define(20m), "raise");
        var wallet = ledger.GetWallet(User);
        wallet.PeriodStart.Should().Be(MarchStart);
        wallet.ResetsAt.Should().Be(MarchStart.AddMonths(1));
        wallet.Limit.Should().Be(new BudgetLimit(Usd(20m), BudgetPeriod.Month));
        wallet.Spent.Should().Be(Usd(3m));
    }

    [Fact]
    public async Task A_new_period_starts_at_the_boundary_of_the_new_calendar_and_keeps_the_spend()
    {
        var time = new FakeTimeProvider(Start);
        using var ledger = await LedgerWithSpendAsync(time, 3m);

        await ledger.DefineWalletAsync(Define(10m, BudgetPeriod.Day), "daily");
        var wallet = ledger.GetWallet(User);
        wallet.PeriodStart.Should().Be(new DateTimeOffset(2026, 3, 10, 0, 0, 0, TimeSpan.Zero));
        wallet.ResetsAt.Should().Be(new DateTimeOffset(2026, 3, 11, 0, 0, 0, TimeSpan.Zero));
        wallet.Spent.Should().Be(Usd(3m), "spend so far stays counted");

        time.Advance(TimeSpan.FromDays(1));
        ledger.GetWallet(User).Spent.Should().Be(Usd(0m), "the wallet now resets daily");
    }

    [Fact]
    public async Task A_new_time_zone_moves_the_boundaries_to_local_midnight_there()
    {
        var time = new FakeTimeProvider(Start);
        using var ledger = await LedgerWithSpendAsync(time, 3m);

        await ledger.DefineWalletAsync(Define(10m, timeZone: "America/New_York"), "new-york");
        var wallet = ledger.GetWallet(User);

        // 1 March is before daylight saving time in New York (UTC-5); 1 April after it (UTC-4).
        wallet.PeriodStart.Should().Be(new DateTimeOffset(2026, 3, 1, 5, 0, 0, TimeSpan.Zero));
        wallet.ResetsAt.Should().Be(new DateTimeOffset(2026, 4, 1, 4, 0, 0, TimeSpan.Zero));
        wallet.Spent.Should().Be(Usd(3m));
    }

    [Fact]
    public async Task The_same_thresholds_with_a_new_limit_stay_crossed_and_are_not_raised_again()
    {
        var time = new FakeTimeProvider(Start);
        using var ledger = await LedgerWithSpendAsync(time, 6m);
        ledger.GetWallet(User).CrossedThresholds.Should().Equal(0.5m);
        var crossed = new List<BudgetThresholdCrossedEventArgs>();
        ledger.ThresholdCrossed += (_, e) => crossed.Add(e);

        await ledger.DefineWalletAsync(Define(11m), "raise");
        await ledger.AdjustAsync(User, Usd(1m), "more");
        ledger.GetWallet(User).CrossedThresholds.Should().Equal(0.5m);
        crossed.Should().BeEmpty("50 % was already reported in this period");
    }

    [Fact]
    public async Task New_thresholds_start_uncrossed_and_are_raised_when_spend_reaches_them()
    {
        var time = new FakeTimeProvider(Start);
        using var ledger = await LedgerWithSpendAsync(time, 6m);
        var crossed = new List<BudgetThresholdCrossedEventArgs>();
        ledger.ThresholdCrossed += (_, e) => crossed.Add(e);

        await ledger.DefineWalletAsync(Define(10m, thresholds: [0.9m, 0.7m]), "stricter");
        ledger.GetWallet(User).CrossedThresholds.Should().BeEmpty();
        ledger.GetWallet(User).Definition.SoftThresholds.Should().Equal(0.9m, 0.7m);

        await ledger.AdjustAsync(User, Usd(1.5m), "more");
        crossed.Select(e => e.Threshold).Should().Equal(0.7m);
        ledger.GetWallet(User).CrossedThresholds.Should().Equal(0.7m);
    }
}
