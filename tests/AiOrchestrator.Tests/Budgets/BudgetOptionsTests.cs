using System.Text;
using AiOrchestrator.Budgets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AiOrchestrator.Tests.Budgets;

public class BudgetOptionsTests
{
    private const string AppSettings = """
        {
          "AiOrchestrator": {
            "Budgets": {
              "StorePath": ":memory:",
              "ReservationTimeout": "00:05:00",
              "TimeZone": "Europe/Berlin",
              "Wallets": [
                { "Id": "org:acme", "Limit": 1000, "Period": "Month" },
                { "Id": "team:acme/search", "Limit": 200.50, "Period": "Week", "SoftThresholds": [ 0.75, 0.9 ] },
                { "Id": "user:acme/search/alice", "Limit": 5, "Period": "Day", "TimeZone": "America/New_York" }
              ]
            }
          }
        }
        """;

    [Fact]
    public async Task Wallets_configured_in_appsettings_json_are_created()
    {
        var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(AppSettings))).Build();
        await using var services = new ServiceCollection().AddBudgetLedger(configuration).BuildServiceProvider();

        var ledger = services.GetRequiredService<IBudgetLedger>();
        services.GetRequiredService<BudgetLedger>().Should().BeSameAs(ledger);
        var team = ledger.GetWallet(WalletId.ForTeam("acme", "search"));
        team.Limit.Should().Be(new BudgetLimit(Money.Usd(200.50m), BudgetPeriod.Week));
        team.Definition.SoftThresholds.Should().Equal(0.75m, 0.9m);
        team.Definition.TimeZone.Should().Be("Europe/Berlin");
        var alice = ledger.GetWallet(WalletId.ForUser("acme", "search", "alice"));
        alice.Definition.TimeZone.Should().Be("America/New_York");
        alice.Definition.SoftThresholds.Should().Equal(WalletDefinition.DefaultSoftThresholds);
        var reservation = await ledger.ReserveAsync([alice.Id, team.Id], Money.Usd(1m), "k");
        (reservation.ExpiresAt - reservation.CreatedAt).Should().Be(TimeSpan.FromMinutes(5));
    }

    [Fact]
    public void Wallets_can_be_configured_in_code()
    {
        using var services = new ServiceCollection()
            .AddBudgetLedger(configure: o =>
            {
                o.StorePath = ":memory:";
                o.Wallets.Add(new WalletOptions { Id = "app:acme/bot", Limit = 3m, Currency = "EUR", Period = BudgetPeriod.Total });
            })
            .BuildServiceProvider();
        var wallet = services.GetRequiredService<IBudgetLedger>().GetWallet(WalletId.ForApp("acme", "bot"));
        wallet.Limit.Should().Be(new BudgetLimit(new Money(3m, "EUR"), BudgetPeriod.Total));
    }

    [Theory]
    [InlineData("Id", "acme", "AiOrchestrator:Budgets:Wallets:0:Id 'acme' is not a wallet id")]
    [InlineData("Limit", "-1", "AiOrchestrator:Budgets:Wallets:0:Limit must be zero or more")]
    [InlineData("Currency", "usd", "AiOrchestrator:Budgets:Wallets:0:Currency 'usd'")]
    [InlineData("TimeZone", "Mars/Olympus", "AiOrchestrator:Budgets:Wallets:0:TimeZone 'Mars/Olympus'")]
    [InlineData("SoftThresholds:0", "0", "AiOrchestrator:Budgets:Wallets:0:SoftThresholds:0 must be a fraction")]
    public void Invalid_wallet_settings_fail_on_start_naming_the_key(string setting, string value, string message)
    {
        var settings = new Dictionary<string, string?>
        {
            ["AiOrchestrator:Budgets:Wallets:0:Id"] = "org:acme",
            ["AiOrchestrator:Budgets:Wallets:0:Limit"] = "10",
            [$"AiOrchestrator:Budgets:Wallets:0:{setting}"] = value,
        };
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        using var services = new ServiceCollection().AddBudgetLedger(configuration).BuildServiceProvider();

        var resolve = () => services.GetRequiredService<IOptions<BudgetOptions>>().Value;
        resolve.Should().Throw<OptionsValidationException>().Which.Message.Should().Contain(message);
    }

    [Fact]
    public void An_undefined_period_set_in_code_is_refused_naming_the_wallet_and_the_periods()
    {
        using var services = new ServiceCollection()
            .AddBudgetLedger(configure: o =>
            {
                o.StorePath = ":memory:";
                o.Wallets.Add(new WalletOptions { Id = "team:acme/search", Limit = 5m, Period = (BudgetPeriod)99 });
            })
            .BuildServiceProvider();

        var start = () => services.GetRequiredService<IStartupValidator>().Validate();

        start.Should().Throw<OptionsValidationException>().Which.Failures.Should().ContainSingle().Which.Should().Be(
            "AiOrchestrator:Budgets:Wallets:0:Period of wallet 'team:acme/search' is 99, which is not a period. Use one of: Day, Week, Month, Total.");
    }

    [Fact]
    public void Ledger_wide_settings_are_validated_too()
    {
        var options = new BudgetOptions
        {
            ReservationTimeout = TimeSpan.FromMinutes(30),
            IdempotencyRetention = TimeSpan.FromMinutes(10),
            ExpirySweepInterval = TimeSpan.Zero,
        };
        options.Wallets.Add(new WalletOptions { Id = "org:acme", Limit = 1m });
        options.Wallets.Add(new WalletOptions { Id = "org:acme", Limit = 2m });

        var create = () => new BudgetLedger(options);
        var failures = create.Should().Throw<OptionsValidationException>().Which.Failures.ToList();
        failures.Should().Contain(f => f.StartsWith("AiOrchestrator:Budgets:IdempotencyRetention", StringComparison.Ordinal));
        failures.Should().Contain(f => f.StartsWith("AiOrchestrator:Budgets:ExpirySweepInterval", StringComparison.Ordinal));
        failures.Should().Contain(f => f.StartsWith("AiOrchestrator:Budgets:Wallets:1:Id", StringComparison.Ordinal) && f.Contains("twice"));
    }
}
