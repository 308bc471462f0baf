using AiOrchestrator.Metering;
using AiOrchestrator.Tests.TestDoubles;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace AiOrchestrator.Tests.Metering;

/// <summary>A DI container with AiOrchestrator on an in-memory (or given) store, a fake clock and a test provider.</summary>
internal sealed class MeteringTestHost : IAsyncDisposable
{
    public MeteringTestHost(string storePath = ":memory:", Action<AiOrchestratorOptions>? configure = null, IChatClient? provider = null, Action<AiOrchestrator.Budgets.BudgetOptions>? budgets = null)
    {
        Time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.Zero));
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(Time);
        services.AddMetrics(); // meters scoped to this host, so parallel tests do not see each other's measurements
        services.AddAiOrchestrator(o =>
        {
            o.StorePath = storePath;
            o.DefaultScope = new AiScope { Organization = "acme" };
            configure?.Invoke(o);
        });
        if (budgets is not null)
        {
            services.AddBudgetLedger(configure: budgets);
        }

        Services = services.BuildServiceProvider();
        Provider = new TestChatClient();
        Client = new ChatClientBuilder(provider ?? Provider).UseAiOrchestrator().Build(Services);
    }

    public FakeTimeProvider Time { get; }

    public ServiceProvider Services { get; }

    public TestChatClient Provider { get; }

    public IChatClient Client { get; }

    public IUsageStore Store => Services.GetRequiredService<IUsageStore>();

    public async Task<IReadOnlyList<UsageRecord>> RecordsAsync() => await Store.GetRecordsAsync(new SpendQuery());

    public ValueTask DisposeAsync() => Services.DisposeAsync();
}
