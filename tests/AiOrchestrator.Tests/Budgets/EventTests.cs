using AiOrchestrator.Budgets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;
using static AiOrchestrator.Tests.Budgets.TestLedgers;

namespace AiOrchestrator.Tests.Budgets;

[CollectionDefinition(nameof(EventTests), DisableParallelization = true)]
public sealed class MeterTestGroup;

/// <summary>Runs alone, so the meter sees only this class's measurements.</summary>
[Collection(nameof(EventTests))]
public class EventTests
{
    [Fact]
    public async Task Soft_thresholds_are_raised_once_per_period_when_posted_spend_crosses_them()
    {
        var time = new FakeTimeProvider(Start);
        var options = new BudgetOptions();
        options.Wallets.Add(new WalletOptions { Id = User.Value, Limit = 10m, Period = BudgetPeriod.Day, SoftThresholds = [0.5m, 0.8m] });
        using var ledger = new BudgetLedger(options, time);
        var crossed = new List<BudgetThresholdCrossedEventArgs>();
        ledger.ThresholdCrossed += (_, e) => crossed.Add(e);

        await SpendAsync(ledger, 4m, "a");
        crossed.Should().BeEmpty("reservations alone do not cross thresholds, and 40 % is below 50 %");
        await SpendAsync(ledger, 1m, "b");
        crossed.Select(e => e.Threshold).Should().Equal(0.5m);
        await SpendAsync(ledger, 0.5m, "c");
        await SpendAsync(ledger, 3m, "d");
        crossed.Select(e => e.Threshold).Should().Equal(0.5m, 0.8m);
        crossed[1].Spent.Should().Be(Usd(8.5m));
        crossed[1].Allowance.Should().Be(Usd(10m));
        ledger.GetWallet(User).CrossedThresholds.Should().Equal(0.5m, 0.8m);

        time.Advance(TimeSpan.FromDays(1));
        await SpendAsync(ledger, 6m, "e");
        crossed.Select(e => e.Threshold).Should().Equal(0.5m, 0.8m, 0.5m);
    }

    [Fact]
    public async Task Exhaustion_is_raised_once_per_period_and_rejections_are_counted()
    {
        using var collector = new MetricCollector<long>(null, "AiOrchestrator", "aiorchestrator.budget.rejections");
        using var ledger = Create();
        var exhausted = new List<WalletExhaustedEventArgs>();
        ledger.WalletExhausted += (_, e) => exhausted.Add(e);

        await ledger.ReserveAsync([User, Org], Usd(9m), "r1");
        var reserve = async () => await ledger.ReserveAsync([User, Org], Usd(2m), "r2");
        await reserve.Should().ThrowAsync<BudgetExceededException>();
        var again = async () => await ledger.ReserveAsync([User, Org], Usd(3m), "r3");
        await again.Should().ThrowAsync<BudgetExceededException>();

        exhausted.Should().ContainSingle();
        exhausted[0].Wallet.Should().Be(User);
        exhausted[0].Requested.Should().Be(Usd(2m));
        collector.GetMeasurementSnapshot().Where(m => Equals(m.Tags["aiorchestrator.wallet.level"], "user")).Sum(m => m.Value).Should().Be(2);
    }

    [Fact]
    public async Task A_throwing_handler_does_not_undo_the_change()
    {
        using var ledger = Create();
        ledger.ThresholdCrossed += (_, _) => throw new InvalidOperationException("handler bug");
        await SpendAsync(ledger, 9m, "a");
        ledger.GetWallet(User).Spent.Should().Be(Usd(9m));
    }

    [Fact]
    public async Task Threshold_crossings_are_counted_on_the_meter()
    {
        using var collector = new MetricCollector<long>(null, "AiOrchestrator", "aiorchestrator.budget.threshold_crossed");
        using var ledger = Create();
        await SpendAsync(ledger, 8m, "a");
        collector.GetMeasurementSnapshot()
            .Where(m => Equals(m.Tags["aiorchestrator.wallet.level"], "user"))
            .Select(m => (decimal)m.Tags["aiorchestrator.budget.threshold"]!)
            .Should().Equal(0.5m, 0.8m);
    }

    [Fact]
    public async Task Metrics_are_tagged_by_scope_level_not_by_per_user_wallet_ids_unless_asked()
    {
        using (var collector = new MetricCollector<long>(null, "AiOrchestrator", "aiorchestrator.budget.threshold_crossed"))
        using (var ledger = Create())
        {
            await SpendAsync(ledger, 8m, "a");
            collector.GetMeasurementSnapshot().Should().NotBeEmpty()
                .And.OnlyContain(m => !m.Tags.ContainsKey("aiorchestrator.wallet"), "per-user wallet ids would make one time series per user");
            collector.GetMeasurementSnapshot().Select(m => m.Tags["aiorchestrator.wallet.level"]).Should().Contain("user");
        }

        var options = Options();
        options.MetricsByWallet = true;
        using (var collector = new MetricCollector<long>(null, "AiOrchestrator", "aiorchestrator.budget.threshold_crossed"))
        using (var ledger = Create(options: options))
        {
            await SpendAsync(ledger, 8m, "a");
            collector.GetMeasurementSnapshot().Should().Contain(m => Equals(m.Tags["aiorchestrator.wallet"], User.Value));
        }
    }

    [Fact]
    public async Task The_meter_is_created_through_the_meter_factory_when_one_is_given()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        using var collector = new MetricCollector<long>(factory, "AiOrchestrator", "aiorchestrator.budget.overruns");
        using var ledger = new BudgetLedger(Options(), new FakeTimeProvider(Start), logger: null, meterFactory: factory);
        var r = await ledger.ReserveAsync([User, Org], Usd(1m), "r");
        await ledger.SettleAsync(r.Id, Usd(1.5m), "s");
        collector.GetMeasurementSnapshot().Select(m => m.Tags["aiorchestrator.wallet.level"]).Should().BeEquivalentTo(["user", "organization"]);
    }

    private static async Task SpendAsync(BudgetLedger ledger, decimal amount, string key)
    {
        var r = await ledger.ReserveAsync([User], Usd(amount), key);
        await ledger.SettleAsync(r.Id, Usd(amount), key + "-s");
    }
}
