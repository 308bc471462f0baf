using AiOrchestrator.Budgets;

namespace AiOrchestrator.Tests.Budgets;

public class WalletPathTests
{
    [Fact]
    public async Task A_wallet_defined_after_a_scope_was_asked_about_is_on_its_path_at_once()
    {
        using var ledger = new BudgetLedger(new BudgetOptions { Wallets = { new WalletOptions { Id = "org:acme", Limit = 10m } } });
        var scope = new AiScope { Organization = "acme", Team = "search", User = "dana" };

        ledger.GetWalletPath(scope).Should().Equal(WalletId.ForOrganization("acme"));
        ledger.GetWalletPath(scope).Should().Equal(new[] { WalletId.ForOrganization("acme") }, "asked again, the same answer");

        await ledger.DefineWalletAsync(new WalletDefinition(WalletId.ForUser("acme", "search", "dana"), new BudgetLimit(Money.Usd(1m), BudgetPeriod.Day)), "define-dana");

        ledger.GetWalletPath(scope).Should().Equal(WalletId.ForUser("acme", "search", "dana"), WalletId.ForOrganization("acme"));
        ledger.GetWalletPath(scope with { User = "eve" }).Should().Equal(WalletId.ForOrganization("acme"));
    }
}

public class InMemoryStorePathTests
{
    [Fact]
    public void A_ledger_constructed_with_the_memory_store_path_keeps_no_file()
    {
        using (var ledger = new BudgetLedger(new BudgetOptions { StorePath = ":memory:", Wallets = { new WalletOptions { Id = "org:acme", Limit = 1m } } }))
        {
            ledger.StorePath.Should().BeNull();
            ledger.GetWallet(WalletId.ForOrganization("acme")).Limit.Amount.Should().Be(Money.Usd(1m));
        }

        File.Exists(":memory:").Should().BeFalse("':memory:' is not a file name");
    }
}
