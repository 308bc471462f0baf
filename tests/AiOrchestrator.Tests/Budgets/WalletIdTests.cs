using AiOrchestrator.Budgets;

namespace AiOrchestrator.Tests.Budgets;

public class WalletIdTests
{
    [Fact]
    public void Ids_name_the_level_and_the_scope_path()
    {
        WalletId.ForOrganization("acme").Value.Should().Be("org:acme");
        WalletId.ForTeam("acme", "search").Value.Should().Be("team:acme/search");
        WalletId.ForUser("acme", "search", "alice").Value.Should().Be("user:acme/search/alice");
        WalletId.ForApp("acme", "chatbot").Value.Should().Be("app:acme/chatbot");
        WalletId.ForUser("acme", "search", "alice").Level.Should().Be(WalletLevel.User);
    }

    [Fact]
    public void Slashes_in_names_are_escaped_so_ids_stay_unambiguous()
    {
        var id = WalletId.ForTeam("a/b", "c%d");
        id.Value.Should().Be("team:a%2Fb/c%25d");
        WalletId.Parse(id.Value).Should().Be(id);
        id.Should().NotBe(WalletId.ForUser("a", "b", "c%d"));
    }

    [Theory]
    [InlineData("org:acme", true)]
    [InlineData("team:acme/search", true)]
    [InlineData("user:acme/search/alice", true)]
    [InlineData("app:acme/bot", true)]
    [InlineData("team:acme", false)]
    [InlineData("user:acme/search", false)]
    [InlineData("org:", false)]
    [InlineData("org:a//b", false)]
    [InlineData("wallet:acme", false)]
    [InlineData("acme", false)]
    [InlineData("", false)]
    public void Parse_accepts_only_well_formed_ids(string text, bool valid)
    {
        WalletId.TryParse(text, out var id).Should().Be(valid);
        if (valid)
        {
            id.Value.Should().Be(text);
        }
        else
        {
            var parse = () => WalletId.Parse(text);
            parse.Should().Throw<FormatException>().WithMessage("*org:<org>*");
        }
    }

    [Fact]
    public void The_path_of_a_scope_runs_from_user_to_organisation()
    {
        var scope = new AiScope { Organization = "acme", Team = "search", User = "alice", App = "bot" };
        WalletId.PathOf(scope).Select(w => w.Value).Should().Equal(
            "user:acme/search/alice", "team:acme/search", "app:acme/bot", "org:acme");
        WalletId.PathOf(new AiScope { Organization = "acme" }).Select(w => w.Value).Should().Equal("org:acme");
        WalletId.PathOf(new AiScope { User = "alice" }).Should().BeEmpty("a user without organisation and team has no wallet path");
    }

    [Fact]
    public void The_ledger_gives_the_wallets_of_a_scope_that_exist()
    {
        using var ledger = TestLedgers.Create();
        var path = ledger.GetWalletPath(new AiScope { Organization = "acme", Team = "search", User = "bob" });
        path.Should().Equal(TestLedgers.Team, TestLedgers.Org);
    }
}
