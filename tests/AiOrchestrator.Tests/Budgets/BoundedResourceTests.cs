using AiOrchestrator.Budgets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using static AiOrchestrator.Tests.Budgets.TestLedgers;

namespace AiOrchestrator.Tests.Budgets;

/// <summary>What the ledger keeps per call is capped, and the journal rotates into segments behind snapshots.</summary>
public sealed class BoundedResourceTests
{
    private static BudgetOptions Big(string? path = null)
    {
        var options = Options(orgLimit: 1_000_000m, teamLimit: 1_000_000m, userLimit: 1_000_000m, period: BudgetPeriod.Total, path: path);
        return options;
    }

    [Fact]
    public async Task Remembered_calls_are_capped_and_early_evictions_are_logged_once_per_sweep()
    {
        var time = new FakeTimeProvider(Start);
        var options = Big();
        options.MaxRememberedCalls = 100;
        var logger = new FakeLogger<BudgetLedger>();
        using var ledger = new BudgetLedger(options, time, logger);
        var first = AiCallId.New(Start);
        var firstReservation = await ledger.ReserveAsync(first, 0, [User], Usd(1m));
        await ledger.SettleAsync(first, 0, firstReservation, Usd(1m));
        for (var i = 0; i < 1000; i++)
        {
            var call = AiCallId.New(Start);
            var r = await ledger.ReserveAsync(call, 0, [User, Org], Usd(0.01m));
            await ledger.SettleAsync(call, 0, r, Usd(0.01m));
        }

        ledger.RememberedCalls.Should().Be(100);
        ledger.FindReservation(firstReservation.Id).Should().BeNull("resolved hot-path reservations are not kept as objects");

        ledger.Sweep();
        ledger.Sweep();
        var evictions = logger.Collector.GetSnapshot().Where(r => r.Id.Id == 3109).ToList();
        evictions.Should().ContainSingle().Which.Level.Should().Be(LogLevel.Information);
        evictions[0].Message.Should().Contain("901");

        // A forgotten call is treated as a new one.
        (await ledger.ReserveAsync(first, 0, [User], Usd(1m))).Id.Should().NotBe(firstReservation.Id);
    }

    [Fact]
    public async Task Calls_are_forgotten_after_the_retention_window()
    {
        var time = new FakeTimeProvider(Start);
        using var ledger = Create(time, Big());
        for (var i = 0; i < 50; i++)
        {
            var call = AiCallId.New(Start);
            await ledger.ReleaseAsync(call, 0, await ledger.ReserveAsync(call, 0, [User], Usd(1m)));
        }

        ledger.RememberedCalls.Should().Be(50);
        time.Advance(TimeSpan.FromMinutes(16));
        ledger.Sweep();
        ledger.RememberedCalls.Should().Be(0);
    }

    [Fact]
    public async Task The_journal_rotates_into_segments_keeps_only_the_retained_ones_and_history_still_sums_to_the_balance()
    {
        using var journal = new TempJournal();
        var time = new FakeTimeProvider(Start);
        var options = Big(journal);
        options.JournalSegmentBytes = 4096;
        options.MaxJournalSegments = 2;
        decimal spent = 0m;
        await using (var ledger = Create(time, options))
        {
            for (var i = 0; i < 300; i++)
            {
                var call = AiCallId.New(Start);
                var r = await ledger.ReserveAsync(call, 0, [User, Org], Usd(1m));
                await (await ledger.SettleAsync(call, 0, r, Usd(0.5m))).Durable;
                spent += 0.5m;
                if (i % 50 == 0)
                {
                    time.Advance(TimeSpan.FromMinutes(1));
                }
            }

            await ledger.FlushAsync();
            var closed = Directory.GetFiles(Path.GetDirectoryName(journal.Path)!)
                .Where(f => System.Text.RegularExpressions.Regex.IsMatch(Path.GetFileName(f), @"^budget\.journal\.[0-9]{6}$"))
                .ToList();
            closed.Should().HaveCount(2, "segments beyond MaxJournalSegments are deleted once a snapshot covers them");
            new FileInfo(journal.Path).Length.Should().BeLessThan(2 * 4096);

            var history = await ledger.GetHistoryAsync(User);
            history[0].Kind.Should().Be(WalletTransactionKind.OpeningBalance);
            history.Sum(t => t.BalanceChange).Should().Be(ledger.GetWallet(User).Balance.Amount);
            await LedgerInvariants.AssertHoldAsync(ledger);
        }

        await using (var reopened = Create(time, options))
        {
            reopened.GetWallet(User).Spent.Should().Be(Usd(spent));
            reopened.GetWallet(Org).Spent.Should().Be(Usd(spent));
        }

        // Without the snapshot, the start snapshot of the oldest retained segment rebuilds the state.
        File.Delete(journal.Path + ".snapshot");
        await using (var fromSegments = Create(time, options))
        {
            fromSegments.GetWallet(User).Spent.Should().Be(Usd(spent));
            await LedgerInvariants.AssertHoldAsync(fromSegments);
        }
    }
}
