using AiOrchestrator.Budgets;
using AiOrchestrator.Metering;
using AiOrchestrator.Routing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;

namespace AiOrchestrator.Tests.Routing;

/// <summary>Budgets per attempt: each attempt reserves for its own target's price and a failed attempt releases.</summary>
public class RoutingBudgetTests
{
    private static readonly WalletId Team = WalletId.ForTeam("acme", "search");

    private static BudgetLedger Ledger(decimal teamLimit)
    {
        var options = new BudgetOptions();
        options.Wallets.Add(new WalletOptions { Id = Team.Value, Limit = teamLimit, Period = BudgetPeriod.Day });
        return new BudgetLedger(options, new FakeTimeProvider(RoutingTestHost.Start));
    }

    [Fact]
    public async Task A_failed_attempt_releases_its_reservation_and_the_fallback_is_settled_at_its_own_price()
    {
        await using var ledger = Ledger(10m);
        await using var host = new RoutingTestHost(o => o.Aliases["smart"] = new RouteOptions
        {
            Targets =
            {
                new RouteTarget { Name = "primary", Client = Targets.Failing(new HttpRequestException("busy", null, System.Net.HttpStatusCode.ServiceUnavailable)), ModelId = "gpt-4o" },
                new RouteTarget { Name = "backup", Client = Targets.Answering("fine", "gpt-4o-mini"), ModelId = "gpt-4o-mini" },
            },
        }, ledger: ledger);

        using (AiScope.Begin(organization: "acme", team: "search"))
        {
            (await host.Client.GetResponseAsync("hello", new ChatOptions { ModelId = "smart", MaxOutputTokens = 100 })).Text.Should().Be("fine");
        }

        var history = await ledger.GetHistoryAsync(Team);
        var reserves = history.Where(t => t.Kind == WalletTransactionKind.Reserve).ToList();
        reserves.Should().HaveCount(2, "each attempt reserves for its own target");
        reserves[0].ReservedChange.Should().BeGreaterThan(reserves[1].ReservedChange, "gpt-4o's worst case costs more than gpt-4o-mini's");
        history.Count(t => t.Kind == WalletTransactionKind.Release).Should().Be(1);
        history.Count(t => t.Kind == WalletTransactionKind.Settle).Should().Be(1);

        var records = await host.RecordsAsync();
        records.Should().HaveCount(2);
        var served = records.Single(r => r.Outcome == CallOutcome.Succeeded);
        served.Route.Should().Be("backup");
        var wallet = ledger.GetWallet(Team);
        wallet.Spent.Should().Be(served.Cost, "only the attempt that was served is paid");
        wallet.Reserved.Amount.Should().Be(0m);
    }

    [Fact]
    public async Task A_target_the_wallet_cannot_afford_is_skipped_for_a_cheaper_one()
    {
        // $0.0001 does not even cover the prompt at o1's $15 per million input tokens (so no output cap makes it
        // affordable and its reservation is refused), while gpt-4o-mini, at $0.15, fits once its cap is clamped.
        await using var ledger = Ledger(0.0001m);
        await using var host = new RoutingTestHost(o => o.Aliases["smart"] = new RouteOptions
        {
            Targets =
            {
                new RouteTarget { Name = "expensive", Client = Targets.Answering("deep", "o1"), ModelId = "o1" },
                new RouteTarget { Name = "cheap", Client = Targets.Answering("quick", "gpt-4o-mini"), ModelId = "gpt-4o-mini" },
            },
        }, ledger: ledger);

        using (AiScope.Begin(organization: "acme", team: "search"))
        {
            (await host.Client.GetResponseAsync("hello", new ChatOptions { ModelId = "smart", MaxOutputTokens = 100 })).Text.Should().Be("quick");
        }

        ledger.GetWallet(Team).Spent.Amount.Should().BePositive().And.BeLessThanOrEqualTo(0.0001m);
    }
}
