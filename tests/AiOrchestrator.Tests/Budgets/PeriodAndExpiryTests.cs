using AiOrchestrator.Budgets;
using Microsoft.Extensions.Time.Testing;
using static AiOrchestrator.Tests.Budgets.TestLedgers;

namespace AiOrchestrator.Tests.Budgets;

public class PeriodAndExpiryTests
{
    [Fact]
    public async Task A_daily_wallet_resets_at_local_midnight_and_the_rollover_is_in_the_history()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 10, 20, 0, 0, TimeSpan.Zero));
        var options = new BudgetOptions();
        options.Wallets.Add(new WalletOptions { Id = User.Value, Limit = 10m, Period = BudgetPeriod.Day, TimeZone = "Europe/Berlin" });
        using var ledger = new BudgetLedger(options, time);

        var r = await ledger.ReserveAsync([User], Usd(8m), "r1");
        await ledger.SettleAsync(r.Id, Usd(8m), "s1");
        await ledger.TopUpAsync(User, Usd(1m), "t1");
        ledger.GetWallet(User).ResetsAt.Should().Be(new DateTimeOffset(2026, 3, 10, 23, 0, 0, TimeSpan.Zero), "midnight in Berlin is 23:00 UTC in March before DST");

        time.SetUtcNow(new DateTimeOffset(2026, 3, 10, 22, 59, 59, TimeSpan.Zero));
        ledger.GetWallet(User).Spent.Should().Be(Usd(8m));

        time.SetUtcNow(new DateTimeOffset(2026, 3, 10, 23, 0, 0, TimeSpan.Zero));
        var wallet = ledger.GetWallet(User);
        wallet.Spent.Should().Be(Usd(0m));
        wallet.TopUps.Should().Be(Usd(0m));
        wallet.Available.Should().Be(Usd(10m));
        wallet.PeriodStart.Should().Be(new DateTimeOffset(2026, 3, 10, 23, 0, 0, TimeSpan.Zero));

        var history = await ledger.GetHistoryAsync(User);
        history[^1].Kind.Should().Be(WalletTransactionKind.Rollover);
        history[^1].Amount.Should().Be(Usd(8m), "the rollover records the closing spend");
        history.Sum(t => t.BalanceChange).Should().Be(10m);
    }

    [Fact]
    public async Task Reservations_pending_across_a_rollover_keep_their_hold_and_post_into_the_new_period()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 10, 23, 57, 0, TimeSpan.Zero));
        using var ledger = Create(time, Options(period: BudgetPeriod.Day));
        await ledger.SettleAsync((await ledger.ReserveAsync([User], Usd(5m), "a")).Id, Usd(5m), "a-s");
        var open = await ledger.ReserveAsync([User], Usd(4m), "b");

        time.Advance(TimeSpan.FromMinutes(5));
        var wallet = ledger.GetWallet(User);
        wallet.Spent.Should().Be(Usd(0m));
        wallet.Reserved.Should().Be(Usd(4m));
        await ledger.SettleAsync(open.Id, Usd(3m), "b-s");
        ledger.GetWallet(User).Spent.Should().Be(Usd(3m));
        await LedgerInvariants.AssertHoldAsync(ledger);
    }

    [Theory]
    [InlineData(BudgetPeriod.Day, "2026-03-29T00:00:00+01:00", "2026-03-30T00:00:00+02:00")]
    [InlineData(BudgetPeriod.Week, "2026-03-23T00:00:00+01:00", "2026-03-30T00:00:00+02:00")]
    [InlineData(BudgetPeriod.Month, "2026-03-01T00:00:00+01:00", "2026-04-01T00:00:00+02:00")]
    public void Periods_follow_the_local_calendar_across_a_daylight_saving_change(BudgetPeriod period, string start, string next)
    {
        // 29 March 2026: Berlin moves from +01:00 to +02:00 at 02:00 local.
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 29, 12, 0, 0, TimeSpan.Zero));
        var options = new BudgetOptions { TimeZone = "Europe/Berlin" };
        options.Wallets.Add(new WalletOptions { Id = Org.Value, Limit = 1m, Period = period });
        using var ledger = new BudgetLedger(options, time);

        var wallet = ledger.GetWallet(Org);
        wallet.PeriodStart.Should().Be(DateTimeOffset.Parse(start, System.Globalization.CultureInfo.InvariantCulture));
        wallet.ResetsAt.Should().Be(DateTimeOffset.Parse(next, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void A_period_whose_midnight_is_skipped_starts_at_the_first_local_time_that_exists()
    {
        // Santiago (Chile) springs forward at local midnight: 2026-09-06 00:00 does not exist, the day starts at 01:00.
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 9, 6, 12, 0, 0, TimeSpan.Zero));
        var options = new BudgetOptions { TimeZone = "America/Santiago" };
        options.Wallets.Add(new WalletOptions { Id = Org.Value, Limit = 1m, Period = BudgetPeriod.Day });
        using var ledger = new BudgetLedger(options, time);

        var start = ledger.GetWallet(Org).PeriodStart;
        var zone = TimeZoneInfo.FindSystemTimeZoneById("America/Santiago");
        var local = TimeZoneInfo.ConvertTime(start, zone);
        local.Date.Should().Be(new DateTime(2026, 9, 6));
        local.TimeOfDay.Should().Be(TimeSpan.FromHours(1));
    }

    [Fact]
    public async Task Total_wallets_never_reset()
    {
        var time = new FakeTimeProvider(Start);
        using var ledger = Create(time, Options(period: BudgetPeriod.Total));
        await ledger.SettleAsync((await ledger.ReserveAsync([User], Usd(4m), "a")).Id, Usd(4m), "a-s");
        time.Advance(TimeSpan.FromDays(400));
        var wallet = ledger.GetWallet(User);
        wallet.Spent.Should().Be(Usd(4m));
        wallet.ResetsAt.Should().BeNull();
    }

    [Fact]
    public async Task A_pending_reservation_expires_in_the_periodic_sweep()
    {
        var time = new FakeTimeProvider(Start);
        var options = Options();
        options.ReservationTimeout = TimeSpan.FromMinutes(2);
        options.ExpirySweepInterval = TimeSpan.FromSeconds(30);
        using var ledger = Create(time, options);
        var r = await ledger.ReserveAsync([User, Org], Usd(4m), "r1");
        r.ExpiresAt.Should().Be(Start.AddMinutes(2));

        time.Advance(TimeSpan.FromSeconds(90));
        r.Status.Should().Be(ReservationStatus.Pending);
        time.Advance(TimeSpan.FromSeconds(30));
        r.Status.Should().Be(ReservationStatus.Expired);
        ledger.GetWallet(User).Reserved.Should().Be(Usd(0m));

        var release = async () => await ledger.ReleaseAsync(r.Id, "x1");
        (await release.Should().ThrowAsync<ReservationAlreadyResolvedException>()).Which.Status.Should().Be(ReservationStatus.Expired);
        (await ledger.GetHistoryAsync(User)).Should().ContainSingle(t => t.Kind == WalletTransactionKind.Expire && t.ReservationId == r.Id);
        await LedgerInvariants.AssertHoldAsync(ledger);
    }

    [Fact]
    public async Task An_expired_reservation_is_voided_when_it_is_touched_before_the_sweep()
    {
        var time = new FakeTimeProvider(Start);
        var options = Options();
        options.ReservationTimeout = TimeSpan.FromMinutes(2);
        options.ExpirySweepInterval = TimeSpan.FromHours(1);
        options.IdempotencyRetention = TimeSpan.FromHours(1);
        using var ledger = Create(time, options);
        var r = await ledger.ReserveAsync([User], Usd(9m), "r1");
        time.Advance(TimeSpan.FromMinutes(3));

        var release = async () => await ledger.ReleaseAsync(r.Id, "x1");
        await release.Should().ThrowAsync<ReservationAlreadyResolvedException>();
        r.Status.Should().Be(ReservationStatus.Expired);

        // A reserve that would be refused first voids expired holds on the way.
        var r2 = await ledger.ReserveAsync([User], Usd(2m), "r2");
        time.Advance(TimeSpan.FromMinutes(3));
        var r3 = await ledger.ReserveAsync([User], Usd(9m), "r3");
        r2.Status.Should().Be(ReservationStatus.Expired);
        r3.Status.Should().Be(ReservationStatus.Pending);
    }

    [Fact]
    public async Task Idempotency_keys_are_forgotten_after_the_retention_window()
    {
        var time = new FakeTimeProvider(Start);
        var options = Options();
        options.ReservationTimeout = TimeSpan.FromMinutes(1);
        options.IdempotencyRetention = TimeSpan.FromMinutes(5);
        using var ledger = Create(time, options);
        var first = await ledger.ReserveAsync([User], Usd(1m), "r1");
        await ledger.ReleaseAsync(first.Id, "x1");
        time.Advance(TimeSpan.FromMinutes(6));
        var second = await ledger.ReserveAsync([User], Usd(1m), "r1");
        second.Id.Should().NotBe(first.Id);
        ledger.FindReservation(first.Id).Should().BeNull();
    }
}
