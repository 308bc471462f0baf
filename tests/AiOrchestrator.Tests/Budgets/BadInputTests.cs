using AiOrchestrator.Budgets;
using static AiOrchestrator.Tests.Budgets.TestLedgers;

namespace AiOrchestrator.Tests.Budgets;

/// <summary>Every bad request fails with a typed error and leaves the ledger exactly as it was.</summary>
public class BadInputTests
{
    public static TheoryData<string> Requests => new()
    {
        "zero reserve", "negative reserve", "unknown wallet", "empty path", "repeated wallet", "currency mismatch",
        "negative settle", "unknown reservation", "settle in another currency", "zero top-up", "negative refund",
        "zero adjustment", "top-up of unknown wallet", "limit below spend", "negative limit",
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public async Task A_bad_request_throws_a_typed_error_and_changes_nothing(string request)
    {
        using var ledger = Create();
        var r = await ledger.ReserveAsync([User, Org], Usd(2m), "setup-r");
        await ledger.SettleAsync(r.Id, Usd(1m), "setup-s");
        var open = await ledger.ReserveAsync([User], Usd(1m), "setup-open");
        var before = await SnapshotAsync(ledger);

        Func<Task> act = request switch
        {
            "zero reserve" => async () => await ledger.ReserveAsync([User], Usd(0m), "k"),
            "negative reserve" => async () => await ledger.ReserveAsync([User], Usd(-1m), "k"),
            "unknown wallet" => async () => await ledger.ReserveAsync([WalletId.ForUser("acme", "search", "nobody"), Org], Usd(1m), "k"),
            "empty path" => async () => await ledger.ReserveAsync([], Usd(1m), "k"),
            "repeated wallet" => async () => await ledger.ReserveAsync([User, User], Usd(1m), "k"),
            "currency mismatch" => async () => await ledger.ReserveAsync([User, Org], new Money(1m, "EUR"), "k"),
            "negative settle" => async () => await ledger.SettleAsync(open.Id, Usd(-1m), "k"),
            "unknown reservation" => async () => await ledger.SettleAsync(9999, Usd(1m), "k"),
            "settle in another currency" => async () => await ledger.SettleAsync(open.Id, new Money(1m, "EUR"), "k"),
            "zero top-up" => async () => await ledger.TopUpAsync(User, Usd(0m), "k"),
            "negative refund" => async () => await ledger.RefundAsync(User, Usd(-1m), "k"),
            "zero adjustment" => async () => await ledger.AdjustAsync(User, Usd(0m), "k"),
            "top-up of unknown wallet" => async () => await ledger.TopUpAsync(WalletId.ForOrganization("globex"), Usd(1m), "k"),
            "limit below spend" => async () => await ledger.SetLimitAsync(User, Usd(1.5m), "k"),
            "negative limit" => async () => await ledger.SetLimitAsync(User, Usd(-1m), "k"),
            _ => throw new ArgumentOutOfRangeException(nameof(request)),
        };

        var thrown = (await act.Should().ThrowAsync<Exception>()).Which;
        new[]
        {
            typeof(ArgumentOutOfRangeException), typeof(ArgumentException), typeof(UnknownWalletException),
            typeof(CurrencyMismatchException), typeof(ReservationNotFoundException), typeof(BudgetLimitBelowSpendException),
        }.Should().Contain(thrown.GetType());
        thrown.Message.Should().NotBeNullOrWhiteSpace();
        (await SnapshotAsync(ledger)).Should().Equal(before);

        // The key a bad request carried is not burnt: it can be used for a good request.
        var good = await ledger.ReserveAsync([User], Usd(1m), "k");
        good.Status.Should().Be(ReservationStatus.Pending);
    }

    [Fact]
    public async Task Unknown_wallets_and_reservations_are_named_in_the_error()
    {
        using var ledger = Create();
        var unknown = WalletId.ForOrganization("globex");
        var reserve = async () => await ledger.ReserveAsync([unknown], Usd(1m), "k");
        (await reserve.Should().ThrowAsync<UnknownWalletException>()).Which.Wallet.Should().Be(unknown);
        var settle = async () => await ledger.SettleAsync(42, Usd(1m), "k2");
        (await settle.Should().ThrowAsync<ReservationNotFoundException>()).Which.ReservationId.Should().Be(42);
        var get = () => ledger.GetWallet(unknown);
        get.Should().Throw<UnknownWalletException>().WithMessage("*org:globex*");
    }

    private static async Task<List<string>> SnapshotAsync(BudgetLedger ledger)
    {
        var lines = new List<string>();
        foreach (var wallet in ledger.GetWallets().OrderBy(w => w.Id))
        {
            lines.Add($"{wallet.Id} limit={wallet.Limit.Amount} spent={wallet.Spent} reserved={wallet.Reserved} topups={wallet.TopUps}");
            lines.Add($"{wallet.Id} history={(await ledger.GetHistoryAsync(wallet.Id)).Count}");
        }

        return lines;
    }
}
