using AiOrchestrator.Budgets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace AiOrchestrator.Tests.DependencyInjection;

/// <summary>
/// Budgets registered with AddBudgetLedger are durable unless asked otherwise: before, they lived in memory unless
/// Budgets:StorePath was set while usage went to a file, and across two runs a team spent twice its daily limit.
/// </summary>
public sealed class BudgetStoreDefaultsTests : IDisposable
{
    private static readonly WalletId Search = WalletId.ForTeam("acme", "search");
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"aio-budget-defaults-{Guid.NewGuid():N}");

    public BudgetStoreDefaultsTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static IConfiguration Configuration(string usageStore, string? budgetStore = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["AiOrchestrator:StorePath"] = usageStore,
            ["AiOrchestrator:Budgets:Wallets:0:Id"] = Search.Value,
            ["AiOrchestrator:Budgets:Wallets:0:Limit"] = "1",
            ["AiOrchestrator:Budgets:Wallets:0:Period"] = "Day",
        };
        if (budgetStore is not null)
        {
            settings["AiOrchestrator:Budgets:StorePath"] = budgetStore;
        }

        return new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
    }

    private static ServiceProvider Run(IConfiguration configuration) => new ServiceCollection()
        .AddSingleton<TimeProvider>(new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero)))
        .AddFakeLogging()
        .AddAiOrchestrator(configuration)
        .AddBudgetLedger(configuration)
        .BuildServiceProvider();

    private static string Logged(ServiceProvider services)
        => string.Join("\n", services.GetFakeLogCollector().GetSnapshot().Where(r => r.Level == LogLevel.Information).Select(r => r.Message));

    [Fact]
    public async Task Spend_survives_a_restart_when_no_budget_store_is_set()
    {
        var configuration = Configuration(usageStore: Path.Combine(_directory, "usage.db"));
        var journal = Path.Combine(_directory, "usage.budgets.journal");

        await using (var first = Run(configuration))
        {
            var ledger = first.GetRequiredService<BudgetLedger>();
            ledger.StorePath.Should().Be(journal);
            Logged(first).Should().Contain($"Budget journal: {journal}");
            var reservation = await ledger.ReserveAsync([Search], Money.Usd(1m), "call-1");
            await ledger.SettleAsync(reservation.Id, Money.Usd(1m), "call-1-settle");
        }

        await using var second = Run(configuration);
        var again = second.GetRequiredService<IBudgetLedger>();

        again.GetWallet(Search).Spent.Should().Be(Money.Usd(1m));
        var overspend = async () => await again.ReserveAsync([Search], Money.Usd(1m), "call-2");
        await overspend.Should().ThrowAsync<BudgetExceededException>();
    }

    [Fact]
    public async Task Memory_is_used_only_when_asked_for()
    {
        await using var services = Run(Configuration(usageStore: Path.Combine(_directory, "usage.db"), budgetStore: ":memory:"));

        services.GetRequiredService<BudgetLedger>().StorePath.Should().BeNull();
        Logged(services).Should().Contain("Budgets are kept in memory (AiOrchestrator:Budgets:StorePath is ':memory:')");
        Directory.GetFiles(_directory).Should().BeEmpty();
    }

    [Fact]
    public async Task An_in_memory_usage_store_keeps_budgets_in_memory_and_says_so()
    {
        await using var services = Run(Configuration(usageStore: ":memory:"));

        services.GetRequiredService<BudgetLedger>().StorePath.Should().BeNull();
        Logged(services).Should().Contain("Budgets are kept in memory because the usage store is").And.Contain("Set AiOrchestrator:Budgets:StorePath");
    }

    [Fact]
    public async Task A_budget_store_that_is_set_is_used_as_is()
    {
        var journal = Path.Combine(_directory, "budgets", "ledger.journal");
        Directory.CreateDirectory(Path.GetDirectoryName(journal)!);
        await using var services = Run(Configuration(usageStore: Path.Combine(_directory, "usage.db"), budgetStore: journal));

        services.GetRequiredService<BudgetLedger>().StorePath.Should().Be(journal);
    }

    [Theory]
    [InlineData("data/aiorchestrator.db", "data/aiorchestrator.budgets.journal")]
    [InlineData("aiorchestrator.db", "aiorchestrator.budgets.journal")]
    [InlineData(":memory:", null)]
    public void The_default_journal_is_beside_the_usage_store(string usageStore, string? journal)
        => BudgetServiceCollectionExtensions.JournalPath(null, usageStore).Should().Be(journal);
}
