using AiOrchestrator.Budgets;
using Microsoft.Extensions.Time.Testing;
using static AiOrchestrator.Tests.Budgets.TestLedgers;

namespace AiOrchestrator.Tests.Budgets;

/// <summary>The hot-path interface: reserve, settle and release keyed by call id and attempt.</summary>
public sealed class HotPathTests
{
    private static AiCallId NewCall() => AiCallId.New(Start);

    private static IBudgetReservations AsReservations(IBudgetLedger ledger) => ledger;

    [Fact]
    public async Task The_ledger_is_the_hot_path_interface_and_answers_availability_without_downcasts()
    {
        using var ledger = Create();
        var reservations = AsReservations(ledger);
        var path = reservations.GetWalletPath(new AiScope { Organization = "acme", Team = "search", User = "alice" });
        path.Should().Equal(User, Team, Org);
        reservations.GetAvailable(path, "USD").Should().Be(Usd(10m));

        var call = NewCall();
        var r = await reservations.ReserveAsync(call, 0, path, Usd(4m));
        reservations.GetAvailable(path, "USD").Should().Be(Usd(6m));
        var s = await reservations.SettleAsync(call, 0, r, Usd(3m));
        s.Posted.Should().Be(Usd(3m));
        s.Released.Should().Be(Usd(1m));
        ledger.GetWallet(Org).Spent.Should().Be(Usd(3m));
        ledger.GetWallet(User).Reserved.Should().Be(Usd(0m));
    }

    [Fact]
    public async Task A_retry_with_the_same_call_and_attempt_returns_the_first_outcome_without_a_second_change()
    {
        using var ledger = Create();
        var call = NewCall();
        var first = await ledger.ReserveAsync(call, 1, [User, Org], Usd(2m));
        var again = await ledger.ReserveAsync(call, 1, [User, Org], Usd(2m));
        again.Id.Should().Be(first.Id);
        ledger.GetWallet(User).Reserved.Should().Be(Usd(2m));

        var settled = await ledger.SettleAsync(call, 1, first, Usd(1.5m));
        var resettled = await ledger.SettleAsync(call, 1, first, Usd(1.5m));
        resettled.Sequence.Should().Be(settled.Sequence);
        resettled.Posted.Should().Be(Usd(1.5m));
        resettled.Released.Should().Be(Usd(0.5m));
        ledger.GetWallet(User).Spent.Should().Be(Usd(1.5m));

        // After the settle the reservation is no longer kept as an object, yet a retried reserve still gets it back.
        ledger.FindReservation(first.Id).Should().BeNull();
        var late = await ledger.ReserveAsync(call, 1, [User, Org], Usd(2m));
        late.Id.Should().Be(first.Id);
        late.Status.Should().Be(ReservationStatus.Settled);
        ledger.GetWallet(User).Reserved.Should().Be(Usd(0m));

        // Another attempt of the same call is a new reservation.
        var second = await ledger.ReserveAsync(call, 2, [User, Org], Usd(2m));
        second.Id.Should().NotBe(first.Id);
        await LedgerInvariants.AssertHoldAsync(ledger);
    }

    public static TheoryData<string> Conflicts => new() { "amount", "wallets", "settle amount", "release after settle", "other reservation" };

    [Theory]
    [MemberData(nameof(Conflicts))]
    public async Task The_same_call_and_attempt_with_a_different_request_is_refused_and_changes_nothing(string request)
    {
        using var ledger = Create();
        var call = NewCall();
        var r = await ledger.ReserveAsync(call, 0, [User, Org], Usd(2m));
        await ledger.SettleAsync(call, 0, r, Usd(1m));
        var other = await ledger.ReserveAsync(NewCall(), 0, [User], Usd(1m));
        var before = ledger.GetWallets();

        Func<Task> act = request switch
        {
            "amount" => async () => await ledger.ReserveAsync(call, 0, [User, Org], Usd(3m)),
            "wallets" => async () => await ledger.ReserveAsync(call, 0, [User], Usd(2m)),
            "settle amount" => async () => await ledger.SettleAsync(call, 0, r, Usd(1.25m)),
            "release after settle" => async () => await ledger.ReleaseAsync(call, 0, r),
            _ => async () => await ledger.SettleAsync(call, 0, other, Usd(1m)),
        };

        if (request == "release after settle")
        {
            await act.Should().ThrowAsync<ReservationAlreadyResolvedException>();
        }
        else
        {
            (await act.Should().ThrowAsync<IdempotencyConflictException>()).Which.IdempotencyKey.Should().Contain(call.ToString());
        }

        ledger.GetWallets().Should().BeEquivalentTo(before);
    }

    [Fact]
    public async Task A_refused_reserve_stays_refused_for_its_call_even_after_money_is_freed()
    {
        using var ledger = Create();
        var call = NewCall();
        var blocker = await ledger.ReserveAsync(NewCall(), 0, [User], Usd(9m));
        var refused = async () => await ledger.ReserveAsync(call, 0, [User], Usd(5m));
        (await refused.Should().ThrowAsync<BudgetExceededException>()).Which.Wallet.Should().Be(User);

        await ledger.ReleaseAsync(blocker.Id, "free");
        await refused.Should().ThrowAsync<BudgetExceededException>("a refusal is the first outcome of that call attempt");
        var retry = async () => await ledger.ReserveAsync(call, 0, [User], Usd(4m));
        await retry.Should().ThrowAsync<IdempotencyConflictException>();
        (await ledger.ReserveAsync(call, 1, [User], Usd(5m))).Amount.Should().Be(Usd(5m), "the next attempt is a new request");
    }

    [Fact]
    public async Task Release_voids_the_hold_and_repeats_quietly()
    {
        using var ledger = Create();
        var call = NewCall();
        var r = await ledger.ReserveAsync(call, 0, [User, Team], Usd(4m));
        await ledger.ReleaseAsync(call, 0, r);
        await ledger.ReleaseAsync(call, 0, r);
        ledger.GetWallet(Team).Reserved.Should().Be(Usd(0m));
        ledger.GetWallet(Team).Spent.Should().Be(Usd(0m));
        var settle = async () => await ledger.SettleAsync(call, 0, r, Usd(1m));
        (await settle.Should().ThrowAsync<ReservationAlreadyResolvedException>()).Which.Status.Should().Be(ReservationStatus.Released);
    }

    [Fact]
    public async Task A_reopened_ledger_remembers_call_keys_from_the_journal_and_from_the_snapshot()
    {
        using var journal = new TempJournal();
        var time = new FakeTimeProvider(Start);
        var call = NewCall();
        var pendingCall = NewCall();
        Reservation r;
        long sequence;
        await using (var ledger = Create(time, Options(path: journal)))
        {
            r = await ledger.ReserveAsync(call, 0, [User, Org], Usd(2m));
            sequence = (await ledger.SettleAsync(call, 0, r, Usd(1m))).Sequence;
        }

        foreach (var fromSnapshot in new[] { true, false })
        {
            if (!fromSnapshot)
            {
                File.Delete(journal.Path + ".snapshot");
            }

            await using var reopened = Create(time, Options(path: journal));
            var again = await reopened.SettleAsync(call, 0, r, Usd(1m));
            again.Sequence.Should().Be(sequence);
            (await reopened.ReserveAsync(call, 0, [User, Org], Usd(2m))).Id.Should().Be(r.Id);
            reopened.GetWallet(User).Spent.Should().Be(Usd(1m));
            reopened.GetWallet(User).Reserved.Should().Be(Usd(0m));
            var conflict = async () => await reopened.SettleAsync(call, 0, r, Usd(2m));
            await conflict.Should().ThrowAsync<IdempotencyConflictException>();
        }

        _ = pendingCall;
    }

    [Fact]
    public async Task Bad_hot_path_arguments_are_refused()
    {
        using var ledger = Create();
        var empty = async () => await ledger.ReserveAsync(default, 0, [User], Usd(1m));
        await empty.Should().ThrowAsync<ArgumentException>().WithMessage("*call id*");
        var negative = async () => await ledger.ReserveAsync(NewCall(), -1, [User], Usd(1m));
        await negative.Should().ThrowAsync<ArgumentOutOfRangeException>();
        var currency = () => ledger.GetAvailable([User], "EUR");
        currency.Should().Throw<CurrencyMismatchException>();
        var unknown = () => ledger.GetAvailable([WalletId.ForUser("acme", "search", "bob")], "USD");
        unknown.Should().Throw<UnknownWalletException>();
    }
}
