using AiOrchestrator.Tests.TestDoubles;
using System.Globalization;
using AiOrchestrator.Budgets;

namespace AiOrchestrator.Tests.Budgets;

/// <summary>
/// Kills a process running ledger load with SIGKILL (kill -9) and checks after each restart that nothing reported
/// durable was lost, nothing was posted twice, and no reservation stayed pending.
/// </summary>
public class CrashTests
{
    private static readonly WalletId[] Path3 =
        [WalletId.ForUser("acme", "search", "alice"), WalletId.ForTeam("acme", "search"), WalletId.ForOrganization("acme")];

    [Fact]
    public async Task Killing_the_process_mid_load_loses_nothing_durable_and_leaves_nothing_pending()
    {
        using var temp = new TempJournal();
        var journal = temp.Path;
        var settled = new Dictionary<string, (long Reservation, decimal Actual)>();
        var released = new Dictionary<string, long>();

        for (var round = 1; round <= 3; round++)
        {
            var lines = await RunAndKillAsync(journal, round, minimumDurable: 300 * round);
            foreach (var line in lines)
            {
                var parts = line.Split(' ');
                switch (parts[0])
                {
                    case "settled":
                        settled.Add(parts[1], (long.Parse(parts[2], CultureInfo.InvariantCulture), decimal.Parse(parts[3], CultureInfo.InvariantCulture)));
                        break;
                    case "released":
                        released.Add(parts[1], long.Parse(parts[2], CultureInfo.InvariantCulture));
                        break;
                }
            }

            await using var ledger = new BudgetLedger(new BudgetOptions { StorePath = journal });
            File.Exists(journal + ".snapshot").Should().BeTrue("the host writes snapshots as its journal grows");
            var history = await ledger.GetHistoryAsync(Path3[0]);

            // Nothing reported durable is lost, and nothing is posted twice.
            var settles = history.Where(t => t.Kind == WalletTransactionKind.Settle).ToList();
            settles.Select(t => t.ReservationId).Should().OnlyHaveUniqueItems();
            var settlesByKey = settles.ToDictionary(t => t.IdempotencyKey!);
            foreach (var (key, (reservationId, actual)) in settled)
            {
                settlesByKey.Should().ContainKey(key, $"settle {key} was reported durable before the kill");
                settlesByKey[key].ReservationId.Should().Be(reservationId);
                settlesByKey[key].Amount.Amount.Should().Be(actual);
            }

            var releasesByKey = history.Where(t => t.Kind == WalletTransactionKind.Release && t.IdempotencyKey is not null).ToDictionary(t => t.IdempotencyKey!);
            foreach (var (key, reservationId) in released)
            {
                releasesByKey.Should().ContainKey(key);
                releasesByKey[key].ReservationId.Should().Be(reservationId);
            }

            // No reservation stays pending: every reserve in the history is resolved exactly once.
            var reserves = history.Where(t => t.Kind == WalletTransactionKind.Reserve).Select(t => t.ReservationId).ToHashSet();
            var resolutions = history.Where(t => t.Kind is WalletTransactionKind.Settle or WalletTransactionKind.Release or WalletTransactionKind.Expire).ToList();
            resolutions.Select(t => t.ReservationId).Should().OnlyHaveUniqueItems();
            resolutions.Select(t => t.ReservationId).ToHashSet().SetEquals(reserves).Should().BeTrue("every reservation ends settled, released or expired");
            foreach (var id in Path3)
            {
                var wallet = ledger.GetWallet(id);
                wallet.Reserved.Should().Be(Money.Usd(0m));
                wallet.Spent.Amount.Should().Be(settles.Sum(t => t.Amount.Amount));
            }

            // Retrying a durable settle after the restart returns its outcome and posts nothing more.
            var spent = ledger.GetWallet(Path3[2]).Spent;
            foreach (var (key, (reservationId, actual)) in settled.Take(50))
            {
                var again = await ledger.SettleAsync(reservationId, Money.Usd(actual), key);
                again.Posted.Should().Be(Money.Usd(actual));
            }

            ledger.GetWallet(Path3[2]).Spent.Should().Be(spent);
            await LedgerInvariants.AssertHoldAsync(ledger);
        }
    }

    private static async Task<List<string>> RunAndKillAsync(string journal, int round, int minimumDurable)
    {
        return await CrashHostRun.RunAndKillAsync(minimumDurable, journal, round.ToString(CultureInfo.InvariantCulture));
    }
}
