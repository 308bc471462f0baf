using AiOrchestrator.Budgets;
using Microsoft.Extensions.Time.Testing;

namespace AiOrchestrator.Tests.Budgets;

internal static class TestLedgers
{
    public static readonly WalletId Org = WalletId.ForOrganization("acme");
    public static readonly WalletId Team = WalletId.ForTeam("acme", "search");
    public static readonly WalletId User = WalletId.ForUser("acme", "search", "alice");

    public static readonly DateTimeOffset Start = new(2026, 3, 10, 12, 0, 0, TimeSpan.Zero);

    public static BudgetOptions Options(decimal orgLimit = 100m, decimal teamLimit = 50m, decimal userLimit = 10m, BudgetPeriod period = BudgetPeriod.Month, string? path = null)
    {
        var options = new BudgetOptions { StorePath = path };
        options.Wallets.Add(new WalletOptions { Id = Org.Value, Limit = orgLimit, Period = period });
        options.Wallets.Add(new WalletOptions { Id = Team.Value, Limit = teamLimit, Period = period });
        options.Wallets.Add(new WalletOptions { Id = User.Value, Limit = userLimit, Period = period });
        return options;
    }

    public static BudgetLedger Create(FakeTimeProvider? time = null, BudgetOptions? options = null)
        => new(options ?? Options(), time ?? new FakeTimeProvider(Start));

    public static Money Usd(decimal amount) => Money.Usd(amount);
}
