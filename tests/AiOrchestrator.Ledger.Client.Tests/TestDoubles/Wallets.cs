using AiOrchestrator.Budgets;

namespace AiOrchestrator.Ledger.Client.Tests.TestDoubles;

internal static class Wallets
{
    public static readonly WalletId Org = WalletId.ForOrganization("acme");

    public static readonly WalletId Team = WalletId.ForTeam("acme", "search");

    public static readonly AiScope TeamScope = new() { Organization = "acme", Team = "search" };

    public static Money Usd(decimal amount) => Money.Usd(amount);
}
