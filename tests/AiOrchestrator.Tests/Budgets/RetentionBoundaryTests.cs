using AiOrchestrator.Budgets;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using static AiOrchestrator.Tests.Budgets.TestLedgers;

namespace AiOrchestrator.Tests.Budgets;

/// <summary>
/// Exactly when keys and calls are forgotten: a retry at the last tick of the retention window is still answered from
/// memory, one tick later it is new; calls the cap evicts, and the refusals remembered with them.
/// </summary>
public sealed class RetentionBoundaryTests
{
    private static readonly TimeSpan Retention = new BudgetOptions().IdempotencyRetention;

    private static BudgetOptions Roomy(string? path = null) => Options(orgLimit: 1000m, teamLimit: 1000m, userLimit: 1000m, period: BudgetPeriod.Total, path: path);

    [Fact]
    public async Task A_key_is_remembered_up_to_the_last_tick_of_its_retention_window_and_forgotten_one_tick_later()
    {
        var time = new FakeTimeProvider(Start);
        using var ledger = Create(time, Roomy());
        var first = await ledger.TopUpAsync(User, Usd(1m), "top-up");

        time.Advance(Retention);
        var retry = await ledger.TopUpAsync(User, Usd(1m), "top-up");
        retry.Sequence.Should().Be(first.Sequence, "a retry exactly at the end of the window is the same request");
        ledger.GetWallet(User).TopUps.Should().Be(Usd(1m));

        time.Advance(TimeSpan.FromTicks(1));
        var later = await ledger.TopUpAsync(User, Usd(1m), "top-up");
        later.Sequence.Should().BeGreaterThan(first.Sequence, "past the window the key is new");
        ledger.GetWallet(User).TopUps.Should().Be(Usd(2m));
    }

    [Fact]
    public async Task A_call_is_remembered_up_to_the_last_tick_of_its_retention_window_and_forgotten_one_tick_later()
    {
        var time = new FakeTimeProvider(Start);
        using var ledger = Create(time, Roomy());
        var call = AiCallId.New(Start);
        var first = await ledger.ReserveAsync(call, 0, [User], Usd(1m));
        await ledger.ReleaseAsync(call, 0, first);

        time.Advance(Retention);
        var retry = await ledger.ReserveAsync(call, 0, [User], Usd(1m));
        retry.Id.Should().Be(first.Id);
        retry.Status.Should().Be(ReservationStatus.Released, "the first outcome was a release");
        ledger.GetWallet(User).Reserved.Should().Be(Usd(0m));

        time.Advance(TimeSpan.FromTicks(1));
        var later = await ledger.ReserveAsync(call, 0, [User], Usd(1m));
        later.Id.Should().NotBe(first.Id, "past the window the call is new");
        ledger.GetWallet(User).Reserved.Should().Be(Usd(1m));
    }

    [Fact]
    public async Task A_key_reused_after_its_window_keeps_its_new_outcome_when_the_journal_is_replayed()
    {
        using var journal = new TempJournal();
        var time = new FakeTimeProvider(Start);
        LedgerReceipt second;
        await using (var ledger = Create(time, Roomy(journal)))
        {
            await ledger.TopUpAsync(User, Usd(1m), "monthly-grant");
            time.Advance(Retention + TimeSpan.FromMinutes(1));
            second = await ledger.TopUpAsync(User, Usd(2m), "monthly-grant");
        }

        // A crash before the next snapshot: the state is rebuilt from the journal alone.
        File.Delete(journal.Path + ".snapshot");
        await using var reopened = Create(time, Roomy(journal));
        var retry = await reopened.TopUpAsync(User, Usd(2m), "monthly-grant");
        retry.Sequence.Should().Be(second.Sequence, "the retry is within the window of the second use of the key");
        reopened.GetWallet(User).TopUps.Should().Be(Usd(3m));
    }

    [Fact]
    public async Task A_call_evicted_by_the_cap_on_the_last_tick_of_its_window_counts_as_evicted_early()
    {
        var time = new FakeTimeProvider(Start);
        var options = Roomy();
        options.MaxRememberedCalls = 2;
        var logger = new FakeLogger<BudgetLedger>();
        using var ledger = new BudgetLedger(options, time, logger);
        await ReserveAndReleaseAsync(ledger);
        await ReserveAndReleaseAsync(ledger);

        // The first call is still within its window (a retry now would be answered), so the cap forgets it early.
        time.Advance(Retention);
        await ReserveAndReleaseAsync(ledger);
        ledger.RememberedCalls.Should().Be(2);
        ledger.Sweep();
        logger.Collector.GetSnapshot().Should().ContainSingle(r => r.Id.Id == 3109)
            .Which.Message.Should().StartWith("Forgot 1 call records");
    }

    [Fact]
    public async Task A_refused_call_evicted_by_the_cap_and_retried_is_refused_again_as_a_new_call()
    {
        var time = new FakeTimeProvider(Start);
        var options = Options();
        options.MaxRememberedCalls = 1;
        using var ledger = Create(time, options);
        var refused = AiCallId.New(Start);
        var reserve = async () => await ledger.ReserveAsync(refused, 0, [User], Usd(50m));
        await reserve.Should().ThrowAsync<BudgetExceededException>();

        await ReserveAndReleaseAsync(ledger);
        (await reserve.Should().ThrowAsync<BudgetExceededException>()).Which.Requested.Should().Be(Usd(50m));

        // Remembered again: a retry gets the same refusal from memory.
        await reserve.Should().ThrowAsync<BudgetExceededException>();
        ledger.RememberedCalls.Should().Be(1);
    }

    [Fact]
    public async Task A_refused_call_forgotten_after_its_window_and_retried_is_refused_again_as_a_new_call()
    {
        var time = new FakeTimeProvider(Start);
        using var ledger = Create(time);
        var refused = AiCallId.New(Start);
        var reserve = async () => await ledger.ReserveAsync(refused, 0, [User], Usd(50m));
        await reserve.Should().ThrowAsync<BudgetExceededException>();

        time.Advance(Retention + TimeSpan.FromTicks(1));
        ledger.Sweep();
        ledger.RememberedCalls.Should().Be(0);
        (await reserve.Should().ThrowAsync<BudgetExceededException>()).Which.Wallet.Should().Be(User);
        ledger.RememberedCalls.Should().Be(1);
    }

    private static async Task ReserveAndReleaseAsync(BudgetLedger ledger)
    {
        var call = AiCallId.New(Start);
        await ledger.ReleaseAsync(call, 0, await ledger.ReserveAsync(call, 0, [User], Usd(1m)));
    }
}
