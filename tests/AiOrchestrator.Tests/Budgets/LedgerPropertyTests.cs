using AiOrchestrator.Budgets;
using FsCheck.Xunit;
using Microsoft.Extensions.Time.Testing;
using static AiOrchestrator.Tests.Budgets.TestLedgers;

namespace AiOrchestrator.Tests.Budgets;

/// <summary>
/// Random scripts of reserve / settle / release / expire / top-up / refund / rollover / retry keep the ledger's
/// invariants: no overspend, balance = sum of history, reserved = sum of pending holds, one resolution per reservation.
/// </summary>
public class LedgerPropertyTests
{
    private static readonly WalletId[][] Paths = [[User], [Team], [User, Team, Org], [Team, Org]];
    private static readonly WalletId[] All = [User, Team, Org];

    [Property(MaxTest = 150)]
    public void Random_scripts_keep_the_invariants(byte[] script) => Run(script, durablePath: null);

    [Property(MaxTest = 25)]
    public void Random_scripts_replayed_from_the_journal_rebuild_the_same_state(byte[] script)
    {
        using var journal = new TempJournal();
        var path = journal.Path;
        var expected = Run(script, path);
        using var reopened = new BudgetLedger(Options(orgLimit: 20m, teamLimit: 12m, userLimit: 8m, period: BudgetPeriod.Day, path: path), new FakeTimeProvider(Start.AddDays(1000)));
        foreach (var id in All)
        {
            var wallet = reopened.GetWallet(id);
            wallet.Reserved.Should().Be(Usd(0m), "pending holds are released on restart");
        }

        reopened.GetHistoryAsync(Org).AsTask().GetAwaiter().GetResult().Count.Should().BeGreaterThanOrEqualTo(expected);
        LedgerInvariants.AssertHoldAsync(reopened).GetAwaiter().GetResult();
    }

    private static int Run(byte[]? script, string? durablePath)
    {
        script ??= [];
        var time = new FakeTimeProvider(Start);
        var options = Options(orgLimit: 20m, teamLimit: 12m, userLimit: 8m, period: BudgetPeriod.Day, path: durablePath);
        options.ReservationTimeout = TimeSpan.FromMinutes(5);
        options.ExpirySweepInterval = TimeSpan.FromMinutes(1);
        options.IdempotencyRetention = TimeSpan.FromMinutes(30);
        options.SnapshotAfterBytes = 400; // journaled runs take snapshots often, so restarts start from one
        using var ledger = new BudgetLedger(options, time);
        var made = new List<Reservation>();
        var step = 0;
        (DateTimeOffset At, Func<object> Call)? last = null;

        for (var i = 0; i + 2 < script.Length; i += 3, step++)
        {
            var (op, a, b) = (script[i] % 8, script[i + 1], script[i + 2]);
            var pending = made.Where(r => r.Status == ReservationStatus.Pending).ToList();
            switch (op)
            {
                case 0:
                    var path = Paths[a % Paths.Length];
                    var amount = Usd(0.25m * (1 + (b % 20)));
                    var key = $"r{step}";
                    try
                    {
                        made.Add(Sync(ledger.ReserveAsync(path, amount, key)));
                        last = (time.GetUtcNow(), () => Sync(ledger.ReserveAsync(path, amount, key)));
                    }
                    catch (BudgetExceededException)
                    {
                    }

                    break;
                case 1 when pending.Count > 0:
                    var toSettle = pending[a % pending.Count];
                    var actual = Usd(toSettle.Amount.Amount * (b % 5) / 4m);
                    var settleKey = $"s{step}";
                    Sync(ledger.SettleAsync(toSettle.Id, actual, settleKey));
                    last = (time.GetUtcNow(), () => Sync(ledger.SettleAsync(toSettle.Id, actual, settleKey)));
                    break;
                case 2 when pending.Count > 0:
                    Sync(ledger.ReleaseAsync(pending[a % pending.Count].Id, $"x{step}"));
                    break;
                case 3:
                    time.Advance(TimeSpan.FromMinutes(b % 10));
                    break;
                case 4:
                    Sync(ledger.TopUpAsync(All[a % 3], Usd(0.5m * (1 + (b % 8))), $"t{step}"));
                    break;
                case 5:
                    time.Advance(TimeSpan.FromDays(1));
                    break;
                case 6:
                    // Spend never goes below zero: refund at most what the wallet has spent.
                    var refunded = All[a % 3];
                    var refund = Math.Min(0.25m * (1 + (b % 4)), ledger.GetWallet(refunded).Spent.Amount);
                    if (refund > 0m)
                    {
                        Sync(ledger.RefundAsync(refunded, Usd(refund), $"f{step}"));
                    }

                    break;
                case 7 when last is { } retry && time.GetUtcNow() - retry.At < options.IdempotencyRetention:
                    var snapshot = All.Select(ledger.GetWallet).Select(w => (w.Spent, w.Reserved)).ToList();
                    retry.Call(); // within the retention window, a retry returns the first outcome
                    All.Select(ledger.GetWallet).Select(w => (w.Spent, w.Reserved)).Should().Equal(snapshot, "a retry with the same key changes nothing");
                    break;
            }

            foreach (var id in All)
            {
                var wallet = ledger.GetWallet(id);
                wallet.Spent.Amount.Should().BeGreaterThanOrEqualTo(0m, "spend never goes below zero");
                wallet.Spent.Amount.Should().BeLessThanOrEqualTo(wallet.Limit.Amount.Amount + wallet.TopUps.Amount, "no wallet is overspent");
                wallet.Reserved.Amount.Should().Be(
                    made.Where(r => r.Status == ReservationStatus.Pending && r.Wallets.Contains(id)).Sum(r => r.Amount.Amount),
                    "the reserved amount is the sum of pending holds");
            }
        }

        LedgerInvariants.AssertHoldAsync(ledger).GetAwaiter().GetResult();
        return ledger.GetHistoryAsync(Org).AsTask().GetAwaiter().GetResult().Count;
    }

    private static T Sync<T>(ValueTask<T> task) => task.IsCompleted ? task.Result : task.AsTask().GetAwaiter().GetResult();
}
