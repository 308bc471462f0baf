using AiOrchestrator.Budgets;
using AiOrchestrator.Metering;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace AiOrchestrator.Http.Tests.TestDoubles;

/// <summary>
/// A DI container with AiOrchestrator on an in-memory usage store, a fake clock, optionally a budget ledger with an
/// organisation wallet, and the named client "llm" with the AiOrchestrator handler.
/// </summary>
internal sealed class HttpTestHost : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);
    public static readonly WalletId Org = WalletId.ForOrganization("acme");

    public HttpTestHost(
        HttpMessageHandler? primary = null,
        decimal? walletLimit = null,
        Action<IHttpClientBuilder>? client = null,
        Action<AiHttpHandlerOptions>? configure = null,
        Action<IServiceCollection>? services = null)
    {
        Time = new FakeTimeProvider(Start);
        var collection = new ServiceCollection();
        collection.AddSingleton<TimeProvider>(Time);
        services?.Invoke(collection);
        var registrations = collection;
        registrations.AddAiOrchestrator(o =>
        {
            o.StorePath = ":memory:";
            o.DefaultScope = new AiScope { Organization = "acme" };
        });
        if (walletLimit is { } limit)
        {
            registrations.AddBudgetLedger(configure: o => o.Wallets.Add(new WalletOptions { Id = Org.Value, Limit = limit }));
        }

        var builder = registrations.AddHttpClient("llm").AddAiOrchestratorHandler(configure);
        if (primary is not null)
        {
            builder.ConfigurePrimaryHttpMessageHandler(() => primary);
        }

        client?.Invoke(builder);
        Services = registrations.BuildServiceProvider();
        Client = Services.GetRequiredService<IHttpClientFactory>().CreateClient("llm");
    }

    public FakeTimeProvider Time { get; }

    public ServiceProvider Services { get; }

    public HttpClient Client { get; }

    public IBudgetLedger Ledger => Services.GetRequiredService<IBudgetLedger>();

    public Wallet Wallet => Ledger.GetWallet(Org);

    public async Task<IReadOnlyList<UsageRecord>> RecordsAsync()
        => await Services.GetRequiredService<IUsageStore>().GetRecordsAsync(new SpendQuery());

    public async Task<IReadOnlyList<WalletTransaction>> HistoryAsync() => await Ledger.GetHistoryAsync(Org);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Services.DisposeAsync();
    }
}
