using AiOrchestrator.Budgets;
using static AiOrchestrator.Tests.Budgets.TestLedgers;

namespace AiOrchestrator.Tests.Budgets;

public class IdempotencyTests
{
    [Fact]
    public async Task The_same_key_and_request_return_the_first_outcome_without_a_second_change()
    {
        using var ledger = Create();
        var first = await ledger.ReserveAsync([User, Org], Usd(2m), "r1");
        var again = await ledger.ReserveAsync([User, Org], Usd(2m), "r1");
        again.Should().BeSameAs(first);
        ledger.GetWallet(User).Reserved.Should().Be(Usd(2m));

        var settled = await ledger.SettleAsync(first.Id, Usd(1m), "s1");
        var settledAgain = await ledger.SettleAsync(first.Id, Usd(1m), "s1");
        settledAgain.Should().BeSameAs(settled);
        ledger.GetWallet(User).Spent.Should().Be(Usd(1m));

        var topUp = await ledger.TopUpAsync(User, Usd(3m), "t1");
        (await ledger.TopUpAsync(User, Usd(3m), "t1")).Should().BeSameAs(topUp);
        ledger.GetWallet(User).TopUps.Should().Be(Usd(3m));

        var r2 = await ledger.ReserveAsync([User], Usd(1m), "r2");
        var released = await ledger.ReleaseAsync(r2.Id, "x2");
        (await ledger.ReleaseAsync(r2.Id, "x2")).Should().BeSameAs(released);
    }

    public static TheoryData<string> Conflicts => new()
    {
        "reserve other amount", "reserve other path", "settle other amount", "settle other reservation", "top-up with reserve key",
        "refund with top-up key", "release with settle key",
    };

    [Theory]
    [MemberData(nameof(Conflicts))]
    public async Task The_same_key_with_a_different_request_is_a_conflict_and_changes_nothing(string request)
    {
        using var ledger = Create();
        var r1 = await ledger.ReserveAsync([User, Org], Usd(2m), "r1");
        var r2 = await ledger.ReserveAsync([User, Org], Usd(2m), "r2");
        await ledger.SettleAsync(r1.Id, Usd(1m), "s1");
        await ledger.TopUpAsync(User, Usd(1m), "t1");
        var user = ledger.GetWallet(User);

        Func<Task> act = request switch
        {
            "reserve other amount" => async () => await ledger.ReserveAsync([User, Org], Usd(3m), "r1"),
            "reserve other path" => async () => await ledger.ReserveAsync([User], Usd(2m), "r1"),
            "settle other amount" => async () => await ledger.SettleAsync(r1.Id, Usd(1.5m), "s1"),
            "settle other reservation" => async () => await ledger.SettleAsync(r2.Id, Usd(1m), "s1"),
            "top-up with reserve key" => async () => await ledger.TopUpAsync(User, Usd(2m), "r2"),
            "refund with top-up key" => async () => await ledger.RefundAsync(User, Usd(1m), "t1"),
            "release with settle key" => async () => await ledger.ReleaseAsync(r2.Id, "s1"),
            _ => throw new ArgumentOutOfRangeException(nameof(request)),
        };

        var conflict = (await act.Should().ThrowAsync<IdempotencyConflictException>()).Which;
        conflict.IdempotencyKey.Should().NotBeNullOrEmpty();
        conflict.Message.Should().Contain("already used for a different request");
        ledger.GetWallet(User).Should().BeEquivalentTo(user);
        r2.Status.Should().Be(ReservationStatus.Pending);
    }

    [Fact]
    public async Task A_refused_reserve_stays_refused_for_its_key_even_after_money_is_freed()
    {
        using var ledger = Create();
        var big = await ledger.ReserveAsync([User], Usd(9m), "big");
        var reserve = async () => await ledger.ReserveAsync([User], Usd(5m), "r1");
        var first = (await reserve.Should().ThrowAsync<BudgetExceededException>()).Which;

        await ledger.ReleaseAsync(big.Id, "x");
        ledger.GetWallet(User).Available.Should().Be(Usd(10m));

        var second = (await reserve.Should().ThrowAsync<BudgetExceededException>()).Which;
        second.Reserved.Should().Be(first.Reserved);
        second.Available.Should().Be(Usd(1m));
        ledger.GetWallet(User).Reserved.Should().Be(Usd(0m));
        (await ledger.ReserveAsync([User], Usd(5m), "r2")).Status.Should().Be(ReservationStatus.Pending);
    }
}
