using AiOrchestrator.Budgets;
using AiOrchestrator.Metering;
using AiOrchestrator.Pricing;
using AiOrchestrator.Tests.Providers;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace AiOrchestrator.Tests.Embeddings;

/// <summary>
/// A DI container with AiOrchestrator on in-memory stores, a fake clock and, unless told otherwise, a budget ledger
/// with one wallet per level of <c>acme/search</c>; the real OpenAI embedding generator against a loopback server
/// speaking the OpenAI embeddings wire format, built through <c>UseAiOrchestrator()</c>.
/// </summary>
internal sealed class EmbeddingTestHost : IAsyncDisposable
{
    public const string Model = "text-embedding-3-small";

    public static readonly WalletId Org = WalletId.ForOrganization("acme");
    public static readonly WalletId Team = WalletId.ForTeam("acme", "search");

    public EmbeddingTestHost(decimal teamLimit = 1m, bool budgets = true, Action<BudgetOptions>? configureBudgets = null, Action<IServiceCollection>? configureServices = null)
    {
        Time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.Zero));
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(Time);
        services.AddMetrics();
        services.AddAiOrchestrator(o =>
        {
            o.StorePath = ":memory:";
            o.DefaultScope = new AiScope { Organization = "acme" };
        });
        if (budgets)
        {
            services.AddBudgetLedger(configure: o =>
            {
                o.Wallets.Add(new WalletOptions { Id = Org.Value, Limit = 100m, Period = BudgetPeriod.Day });
                o.Wallets.Add(new WalletOptions { Id = Team.Value, Limit = teamLimit, Period = BudgetPeriod.Day });
                configureBudgets?.Invoke(o);
            });
        }

        configureServices?.Invoke(services);
        Services = services.BuildServiceProvider();
        Generator = new EmbeddingGeneratorBuilder<string, Embedding<float>>(Server.OpenAIEmbeddings(Model)).UseAiOrchestrator().Build(Services);
    }

    public ProviderServer Server { get; } = new();

    public FakeTimeProvider Time { get; }

    public ServiceProvider Services { get; }

    public IEmbeddingGenerator<string, Embedding<float>> Generator { get; }

    public IBudgetLedger Ledger => Services.GetRequiredService<IBudgetLedger>();

    /// <summary>The catalog price of <see cref="Model"/> now.</summary>
    public ModelPrice Price => Services.GetRequiredService<UsageMeter>().GetPrice("openai", Model, Time.GetUtcNow());

    public async Task<IReadOnlyList<UsageRecord>> RecordsAsync() => await Services.GetRequiredService<IUsageStore>().GetRecordsAsync(new SpendQuery());

    /// <summary>The ledger's history of the team wallet.</summary>
    public async Task<IReadOnlyList<WalletTransaction>> TeamHistoryAsync() => await Ledger.GetHistoryAsync(Team);

    /// <summary>The input bound the budget stage reserves for: the inputs' UTF-8 bytes plus two tokens of framing each.</summary>
    public static long InputBound(params string[] inputs) => inputs.Sum(i => System.Text.Encoding.UTF8.GetByteCount(i) + 2L);

    public async ValueTask DisposeAsync()
    {
        Generator.Dispose();
        Server.Dispose();
        await Services.DisposeAsync();
    }
}
