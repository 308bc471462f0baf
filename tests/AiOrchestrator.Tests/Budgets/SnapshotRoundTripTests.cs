using AiOrchestrator.Budgets;
using Microsoft.Extensions.Time.Testing;
using static AiOrchestrator.Tests.Budgets.TestLedgers;

namespace AiOrchestrator.Tests.Budgets;

/// <summary>
/// A ledger restarted from its snapshot answers exactly as before the restart: call outcomes (settled, released,
/// refused, late), keyed outcomes with their optional fields, the exhausted flag, and the call memory's retention.
/// </summary>
public sealed class SnapshotRoundTripTests
{
    private static readonly TimeSpan Timeout = new BudgetOptions().ReservationTimeout;
    private static readonly TimeSpan Retention = new BudgetOptions().IdempotencyRetention;

    [Fact]
    public async Task Call_outcomes_and_keyed_outcomes_are_answered_the_same_after_a_restart_from_the_snapshot()
    {
        using var journal = new TempJournal();
        var time = new FakeTimeProvider(Start);
        var options = Options(period: BudgetPeriod.Total, path: journal);
        var (settledCall, releasedCall, refusedCall, lateCall) = (AiCallId.New(Start), AiCallId.New(Start), AiCallId.New(Start), AiCallId.New(Start));
        Reservation settledReservation, releasedReservation, lateReservation, keyedReservation;
        Settlement settled, late, keyedLate;
        BudgetExceededException refused, keyedRefused;
        int remembered;
        await using (var ledger = Create(time, options))
        {
            settledReservation = await ledger.ReserveAsync(settledCall, 0, [User], Usd(2m));
            settled = await ledger.SettleAsync(settledCall, 0, settledReservation, Usd(1.5m));
            releasedReservation = await ledger.ReserveAsync(releasedCall, 0, [User], Usd(1m));
            await ledger.ReleaseAsync(releasedCall, 0, releasedReservation);
            refused = await RefusedAsync(() => ledger.ReserveAsync(refusedCall, 0, [User], Usd(50m)));
            keyedRefused = await RefusedAsync(() => ledger.ReserveAsync([User], Usd(40m), "too-much"));
            lateReservation = await ledger.ReserveAsync(lateCall, 0, [User], Usd(1m));
            keyedReservation = await ledger.ReserveAsync([User], Usd(1m), "keyed");

            time.Advance(Timeout + TimeSpan.FromSeconds(1));
            ledger.Sweep();
            late = await ledger.SettleAsync(lateCall, 0, lateReservation, Usd(0.5m));
            keyedLate = await ledger.SettleAsync(keyedReservation.Id, Usd(2m), "keyed-settle");
            remembered = ledger.RememberedCalls;
        }

        File.Exists(journal.Path + ".snapshot").Should().BeTrue("a clean stop writes the snapshot the restart reads");
        await using var reopened = Create(time, options);
        reopened.RememberedCalls.Should().Be(remembered);

        var settledAgain = await reopened.SettleAsync(settledCall, 0, settledReservation, Usd(1.5m));
        settledAgain.Should().BeEquivalentTo(settled, o => o.Excluding(s => s.Durable));
        (await reopened.ReserveAsync(releasedCall, 0, [User], Usd(1m))).Status.Should().Be(ReservationStatus.Released);

        var refusedAgain = await RefusedAsync(() => reopened.ReserveAsync(refusedCall, 0, [User], Usd(50m)));
        refusedAgain.Message.Should().Be(refused.Message);
        refusedAgain.ResetsAt.Should().BeNull("a total wallet never resets");
        var keyedRefusedAgain = await RefusedAsync(() => reopened.ReserveAsync([User], Usd(40m), "too-much"));
        keyedRefusedAgain.Message.Should().Be(keyedRefused.Message);
        keyedRefusedAgain.ResetsAt.Should().BeNull();

        var lateAgain = await reopened.SettleAsync(lateCall, 0, lateReservation, Usd(0.5m));
        lateAgain.IsLate.Should().BeTrue();
        lateAgain.Should().BeEquivalentTo(late, o => o.Excluding(s => s.Durable));
        var keyedLateAgain = await reopened.SettleAsync(keyedReservation.Id, Usd(2m), "keyed-settle");
        keyedLateAgain.IsLate.Should().BeTrue();
        keyedLateAgain.Should().BeEquivalentTo(keyedLate, o => o.Excluding(s => s.Durable));

        reopened.GetWallet(User).Spent.Should().Be(Usd(4m), "no retry posted anything twice");
    }

    [Fact]
    public async Task Calls_restored_from_the_snapshot_are_still_forgotten_after_their_window()
    {
        using var journal = new TempJournal();
        var time = new FakeTimeProvider(Start);
        var options = Options(path: journal);
        await using (var ledger = Create(time, options))
        {
            for (var i = 0; i < 3; i++)
            {
                var call = AiCallId.New(Start);
                await ledger.ReleaseAsync(call, 0, await ledger.ReserveAsync(call, 0, [User], Usd(1m)));
            }

            var refused = AiCallId.New(Start);
            await RefusedAsync(() => ledger.ReserveAsync(refused, 0, [User], Usd(50m)));
        }

        await using (var reopened = Create(time, options))
        {
            reopened.RememberedCalls.Should().Be(4);
            time.Advance(Retention + TimeSpan.FromTicks(1));
            reopened.Sweep();
            reopened.RememberedCalls.Should().Be(0);
        }

        // What the second run wrote is read again by a third.
        await using var third = Create(time, options);
        third.RememberedCalls.Should().Be(0);
        third.GetWallet(User).Reserved.Should().Be(Usd(0m));
    }

    [Fact]
    public async Task A_wallet_exhausted_before_a_restart_is_not_reported_exhausted_again_in_the_same_period()
    {
        using var journal = new TempJournal();
        var time = new FakeTimeProvider(Start);
        var options = Options(path: journal);
        await using (var ledger = Create(time, options))
        {
            var exhaustedBefore = new List<WalletExhaustedEventArgs>();
            ledger.WalletExhausted += (_, e) => exhaustedBefore.Add(e);
            await ledger.AdjustAsync(User, Usd(10m), "spend-all");
            exhaustedBefore.Should().ContainSingle().Which.Wallet.Should().Be(User);
        }

        await using var reopened = Create(time, options);
        var exhausted = new List<WalletExhaustedEventArgs>();
        reopened.WalletExhausted += (_, e) => exhausted.Add(e);
        await reopened.AdjustAsync(User, Usd(1m), "more");
        await reopened.AdjustAsync(Team, Usd(50m), "team-spend-all");
        exhausted.Select(e => e.Wallet).Should().Equal(new[] { Team }, "the user's exhaustion was reported before the restart");
        reopened.GetWallet(User).CrossedThresholds.Should().Equal(0.5m, 0.8m, 1m);
    }

    [Fact]
    public void A_snapshot_written_before_call_records_existed_is_still_read()
    {
        var periodStart = new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
        var buffer = new JournalBuffer();
        buffer.WriteByte(1);
        buffer.WriteInt64(5);
        buffer.WriteInt64(2);

        buffer.WriteInt32(1);
        JournalCodec.WriteDefinition(buffer, new WalletDefinition(User, new BudgetLimit(Usd(10m), BudgetPeriod.Month)));
        buffer.WriteInt64(periodStart.UtcTicks);
        buffer.WriteDecimal(3m);
        buffer.WriteDecimal(1m);
        buffer.WriteDecimal(2m);
        buffer.WriteInt64(0b1);
        buffer.WriteByte(0);

        buffer.WriteInt32(1);
        buffer.WriteInt64(2);
        buffer.WriteByte((byte)ReservationStatus.Pending);
        JournalCodec.WriteWallets(buffer, [User]);
        buffer.WriteDecimal(2m);
        buffer.WriteString("USD");
        buffer.WriteInt64(Start.UtcTicks);
        buffer.WriteInt64(Start.UtcTicks + Timeout.Ticks);
        buffer.WriteString("r2");

        buffer.WriteInt32(1);
        buffer.WriteString("s1");
        buffer.WriteByte(3);
        buffer.WriteInt64(1);
        buffer.WriteInt64(4);
        buffer.WriteString("USD");
        buffer.WriteDecimal(3m);
        buffer.WriteDecimal(0m);
        buffer.WriteDecimal(0m);

        buffer.WriteInt32(0);

        var state = LedgerState.ReadSnapshot(buffer.Written, Retention);
        state.LastSequence.Should().Be(5);
        state.LastReservationId.Should().Be(2);
        state.TryGetWallet(User, out var user).Should().BeTrue();
        user.ToSnapshot().Should().BeEquivalentTo(new
        {
            Spent = Usd(3m), TopUps = Usd(1m), Reserved = Usd(2m), PeriodStart = periodStart, CrossedThresholds = new[] { 0.5m },
        });
        state.TryGetReservation(2, out var reservation).Should().BeTrue();
        reservation.Should().BeEquivalentTo(new { Status = ReservationStatus.Pending, Amount = Usd(2m), IdempotencyKey = "r2", Wallets = new[] { User } });
        reservation.Call.IsEmpty.Should().BeTrue();
        state.PendingCount.Should().Be(1);
        state.TryGetOutcome("s1", out var outcome).Should().BeTrue();
        outcome.Should().BeOfType<Settlement>().Which.Should().BeEquivalentTo(new { ReservationId = 1L, Sequence = 4L, Posted = Usd(3m), IsLate = false });
    }

    private static async Task<BudgetExceededException> RefusedAsync(Func<ValueTask<Reservation>> reserve)
    {
        var act = async () => await reserve();
        return (await act.Should().ThrowAsync<BudgetExceededException>()).Which;
    }
}
