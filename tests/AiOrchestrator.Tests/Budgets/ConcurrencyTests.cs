using AiOrchestrator.Budgets;
using Microsoft.Extensions.Time.Testing;
using static AiOrchestrator.Tests.Budgets.TestLedgers;

namespace AiOrchestrator.Tests.Budgets;

public class ConcurrencyTests
{
    private const int Callers = 1024;

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public async Task Many_callers_on_a_barrier_never_overspend_a_small_wallet(bool threeLevelPath, bool durable)
    {
        var time = new FakeTimeProvider(Start);
        using var journal = new TempJournal();
        var options = Options(orgLimit: 30m, teamLimit: 20m, userLimit: 25m, path: durable ? journal.Path : null);
        options.ReservationTimeout = TimeSpan.FromMinutes(1);
        await using var ledger = Create(time, options);
        WalletId[] path = threeLevelPath ? [User, Team, Org] : [Team];

        var reserved = 0;
        var refused = 0;
        var reservations = new Reservation?[Callers];
        using var barrier = new Barrier(Callers);
        var threads = new Thread[Callers];
        for (var i = 0; i < Callers; i++)
        {
            var caller = i;
            threads[i] = new Thread(() =>
            {
                var amount = Usd(0.01m * (1 + (caller % 50)));
                barrier.SignalAndWait();
                try
                {
                    var r = ledger.ReserveAsync(path, amount, $"r{caller}").AsTask().GetAwaiter().GetResult();
                    Interlocked.Increment(ref reserved);
                    reservations[caller] = r;

                    // A third settle below the hold, a third release, a third are abandoned and must expire.
                    switch (caller % 3)
                    {
                        case 0:
                            var actual = Usd(r.Amount.Amount * 0.5m);
                            var settled = ledger.SettleAsync(r.Id, actual, $"s{caller}").AsTask().GetAwaiter().GetResult();
                            if (durable)
                            {
                                settled.Durable.GetAwaiter().GetResult();
                            }

                            break;
                        case 1:
                            ledger.ReleaseAsync(r.Id, $"x{caller}").AsTask().GetAwaiter().GetResult();
                            break;
                    }
                }
                catch (BudgetExceededException)
                {
                    Interlocked.Increment(ref refused);
                }
            });
            threads[i].Start();
        }

        foreach (var thread in threads)
        {
            thread.Join();
        }

        (reserved + refused).Should().Be(Callers);
        reserved.Should().BeGreaterThan(0);
        refused.Should().BeGreaterThan(0, "the wallet is far too small for every caller");

        time.Advance(TimeSpan.FromMinutes(2));
        await ledger.FlushAsync();

        var made = reservations.Where(r => r is not null).Select(r => r!).ToList();
        made.Should().OnlyContain(r => r.Status != ReservationStatus.Pending);
        made.Where(r => r.Status == ReservationStatus.Expired).Should().NotBeEmpty();
        made.Select(r => r.Id).Should().OnlyHaveUniqueItems();
        foreach (var id in path)
        {
            var wallet = ledger.GetWallet(id);
            wallet.Reserved.Should().Be(Usd(0m));
            wallet.Spent.Amount.Should().BeLessThanOrEqualTo(wallet.Limit.Amount.Amount);
            wallet.Spent.Amount.Should().Be(made.Where(r => r.Status == ReservationStatus.Settled).Sum(r => r.Amount.Amount * 0.5m));
        }

        await LedgerInvariants.AssertHoldAsync(ledger);
    }
}
