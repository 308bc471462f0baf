using AiOrchestrator.Budgets;
using Microsoft.Extensions.Time.Testing;
using static AiOrchestrator.Tests.Budgets.TestLedgers;

namespace AiOrchestrator.Tests.Budgets;

public class DurabilityTests
{
    [Fact]
    public async Task A_reopened_ledger_has_the_same_balances_history_and_remembered_keys()
    {
        using var journal = new TempJournal();
        var path = journal.Path;
        var time = new FakeTimeProvider(Start);
        long settledId;
        List<WalletTransaction> before;
        await using (var ledger = Create(time, Options(path: path)))
        {
            var r = await ledger.ReserveAsync([User, Team, Org], Usd(3m), "r1");
            var s = await ledger.SettleAsync(r.Id, Usd(2m), "s1");
            await s.Durable;
            settledId = r.Id;
            await ledger.TopUpAsync(Team, Usd(5m), "t1");
            var refused = async () => await ledger.ReserveAsync([User], Usd(50m), "too-much");
            await refused.Should().ThrowAsync<BudgetExceededException>();
            before = [.. await ledger.GetHistoryAsync(Team)];
        }

        await using (var reopened = Create(time, Options(path: path)))
        {
            reopened.GetWallet(User).Spent.Should().Be(Usd(2m));
            reopened.GetWallet(Team).TopUps.Should().Be(Usd(5m));
            (await reopened.GetHistoryAsync(Team)).Should().BeEquivalentTo(before);

            var replayed = await reopened.SettleAsync(settledId, Usd(2m), "s1");
            replayed.Posted.Should().Be(Usd(2m));
            reopened.GetWallet(Org).Spent.Should().Be(Usd(2m), "a retried settle after a restart does not post twice");
            var refusedAgain = async () => await reopened.ReserveAsync([User], Usd(50m), "too-much");
            await refusedAgain.Should().ThrowAsync<BudgetExceededException>();
            var conflict = async () => await reopened.TopUpAsync(Team, Usd(6m), "t1");
            await conflict.Should().ThrowAsync<IdempotencyConflictException>();
            await LedgerInvariants.AssertHoldAsync(reopened);
        }
    }

    [Fact]
    public async Task Reservations_left_pending_are_released_when_the_ledger_reopens()
    {
        using var journal = new TempJournal();
        var path = journal.Path;
        var time = new FakeTimeProvider(Start);
        long pendingId;
        await using (var ledger = Create(time, Options(path: path)))
        {
            var r = await ledger.ReserveAsync([User, Org], Usd(3m), "r1");
            await ledger.FlushAsync();
            pendingId = r.Id;
        }

        await using (var reopened = Create(time, Options(path: path)))
        {
            reopened.FindReservation(pendingId)!.Status.Should().Be(ReservationStatus.Released);
            reopened.GetWallet(User).Reserved.Should().Be(Usd(0m));
            var settle = async () => await reopened.SettleAsync(pendingId, Usd(1m), "s1");
            await settle.Should().ThrowAsync<ReservationAlreadyResolvedException>();
            (await reopened.GetHistoryAsync(User)).Should().ContainSingle(t => t.Kind == WalletTransactionKind.Release && t.IdempotencyKey == null);
            await LedgerInvariants.AssertHoldAsync(reopened);
        }
    }

    [Fact]
    public async Task A_record_torn_by_a_crash_is_cut_off_and_the_records_before_it_are_kept()
    {
        using var journal = new TempJournal();
        var path = journal.Path;
        var time = new FakeTimeProvider(Start);
        await using (var ledger = Create(time, Options(path: path)))
        {
            var r = await ledger.ReserveAsync([User], Usd(3m), "r1");
            await (await ledger.SettleAsync(r.Id, Usd(3m), "s1")).Durable;
        }

        var intact = new FileInfo(path).Length;
        await using (var stream = new FileStream(path, FileMode.Append))
        {
            // A header promising 200 bytes, followed by only a few: what a crash mid-write leaves.
            await stream.WriteAsync(new byte[] { 200, 0, 0, 0, 1, 2, 3, 4, 1, 5, 9 });
        }

        await using (var reopened = Create(time, Options(path: path)))
        {
            reopened.GetWallet(User).Spent.Should().Be(Usd(3m));
            new FileInfo(path).Length.Should().Be(intact);
            var r2 = await reopened.ReserveAsync([User], Usd(1m), "r2");
            await (await reopened.SettleAsync(r2.Id, Usd(1m), "s2")).Durable;
        }

        await using (var third = Create(time, Options(path: path)))
        {
            third.GetWallet(User).Spent.Should().Be(Usd(4m));
        }
    }

    [Fact]
    public async Task A_second_ledger_on_the_same_journal_is_refused()
    {
        using var journal = new TempJournal();
        var path = journal.Path;
        await using var ledger = Create(new FakeTimeProvider(Start), Options(path: path));
        var second = () => Create(new FakeTimeProvider(Start), Options(path: path));
        second.Should().Throw<IOException>().WithMessage("*open in another ledger*");
    }

    [Fact]
    public async Task Configuration_changes_apply_on_restart_and_are_in_the_history()
    {
        using var journal = new TempJournal();
        var path = journal.Path;
        var time = new FakeTimeProvider(Start);
        await using (var ledger = Create(time, Options(userLimit: 10m, path: path)))
        {
            await ledger.SettleAsync((await ledger.ReserveAsync([User], Usd(4m), "r")).Id, Usd(4m), "s");
        }

        await using (var reopened = Create(time, Options(userLimit: 20m, path: path)))
        {
            var wallet = reopened.GetWallet(User);
            wallet.Limit.Amount.Should().Be(Usd(20m));
            wallet.Spent.Should().Be(Usd(4m));
            (await reopened.GetHistoryAsync(User)).Should().ContainSingle(t => t.Kind == WalletTransactionKind.LimitChanged && t.BalanceChange == 10m);
            await LedgerInvariants.AssertHoldAsync(reopened);
        }
    }
}

public class SnapshotTests
{
    [Fact]
    public async Task A_start_from_the_snapshot_and_a_full_replay_of_the_journal_rebuild_the_same_state()
    {
        using var journal = new TempJournal();
        var path = journal.Path;
        var time = new FakeTimeProvider(Start);
        var options = Options(path: path);
        options.SnapshotAfterBytes = 300;
        await using (var ledger = Create(time, options))
        {
            for (var i = 0; i < 40; i++)
            {
                var r = await ledger.ReserveAsync([User, Team, Org], Usd(0.2m), $"r{i}");
                if (i % 4 == 0)
                {
                    await ledger.ReleaseAsync(r.Id, $"x{i}");
                }
                else if (i % 4 != 3)
                {
                    await (await ledger.SettleAsync(r.Id, Usd(0.15m), $"s{i}")).Durable;
                }
            }

            await ledger.TopUpAsync(Team, Usd(2m), "t");
            await ledger.DefineWalletAsync(new WalletDefinition(WalletId.ForUser("acme", "search", "bob"), new BudgetLimit(Usd(1m), BudgetPeriod.Day)), "d");
            var refused = async () => await ledger.ReserveAsync([User], Usd(9m), "too-much");
            await refused.Should().ThrowAsync<BudgetExceededException>();
            await ledger.FlushAsync();
        }

        File.Exists(path + ".snapshot").Should().BeTrue();
        var fromSnapshot = await DescribeAsync(time, options);
        File.Delete(path + ".snapshot");
        var fromJournal = await DescribeAsync(time, options);
        fromSnapshot.Should().Equal(fromJournal);
    }

    [Fact]
    public async Task A_start_reads_only_the_journal_after_the_snapshot()
    {
        using var journal = new TempJournal();
        var path = journal.Path;
        var time = new FakeTimeProvider(Start);
        await using (var ledger = Create(time, Options(path: path)))
        {
            await ledger.SettleAsync((await ledger.ReserveAsync([User], Usd(3m), "r")).Id, Usd(2m), "s");
        }

        // Damage the first records of the journal (after its header): a start from the snapshot (written on the
        // clean stop) never reads them.
        await using (var stream = new FileStream(path, FileMode.Open, FileAccess.Write))
        {
            stream.Position = 16;
            await stream.WriteAsync(new byte[64]);
        }

        await using var reopened = Create(time, Options(path: path));
        reopened.GetWallet(User).Spent.Should().Be(Usd(2m));
        var replay = await reopened.SettleAsync(1, Usd(2m), "s");
        replay.Posted.Should().Be(Usd(2m));
    }

    private static async Task<List<string>> DescribeAsync(FakeTimeProvider time, BudgetOptions options)
    {
        await using var ledger = Create(time, options);
        var lines = new List<string>();
        foreach (var w in ledger.GetWallets().OrderBy(w => w.Id))
        {
            lines.Add($"{w.Id} {w.Limit} spent={w.Spent} reserved={w.Reserved} topups={w.TopUps} start={w.PeriodStart:O} crossed={string.Join(",", w.CrossedThresholds)}");
        }

        for (var id = 1; id <= 41; id++)
        {
            lines.Add($"reservation {id}: {ledger.FindReservation(id)?.Status}");
        }

        // Remembered outcomes answer retries the same way.
        for (var i = 1; i < 40; i += 4)
        {
            var settled = await ledger.SettleAsync(i + 1, Usd(0.15m), $"s{i}");
            lines.Add($"s{i}: {settled.Posted} {settled.Released} seq={settled.Sequence}");
        }

        var again = async () => await ledger.ReserveAsync([User], Usd(9m), "too-much");
        lines.Add("too-much: " + (await again.Should().ThrowAsync<BudgetExceededException>()).Which.Message);
        lines.Add("t: " + (await ledger.TopUpAsync(Team, Usd(2m), "t")).Sequence);
        return lines;
    }
}
