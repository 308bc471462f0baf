using AiOrchestrator.Budgets;
using AiOrchestrator.Ledger.Client.Leases;
using AiOrchestrator.Ledger.Client.Tests.FakeLedger;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AiOrchestrator.Ledger.Client.Tests.TestDoubles;

/// <summary>A process's services with the ledger client registered against a ledger, on a temporary local store file.</summary>
internal sealed class ClientUnderTest : IAsyncDisposable
{
    private readonly bool _ownsStore;

    private ClientUnderTest(ServiceProvider services, string storePath, bool ownsStore)
    {
        Services = services;
        StorePath = storePath;
        _ownsStore = ownsStore;
        Ledger = services.GetRequiredService<LeasedBudgetLedger>();
    }

    public ServiceProvider Services { get; }

    public string StorePath { get; }

    public LeasedBudgetLedger Ledger { get; }

    public IBudgetReservations Reservations => Services.GetRequiredService<IBudgetReservations>();

    public static string NewStorePath() => Path.Combine(Path.GetTempPath(), "aio-ledger-client-tests", Guid.NewGuid().ToString("N") + ".db");

    public static ClientUnderTest Create(Uri url, Action<LedgerClientOptions>? configure = null, string? storePath = null, string apiKey = FakeLedgerState.ApiKey)
    {
        var path = storePath ?? NewStorePath();
        var services = new ServiceCollection()
            .AddLogging()
            .AddAiOrchestrator(o => o.StorePath = path)
            .UseLedger(o =>
            {
                o.Url = url;
                o.ApiKey = apiKey;
                o.Organisation = "acme";
                o.RequestTimeout = TimeSpan.FromSeconds(1);
                o.RetryUnreachableAfter = TimeSpan.FromMilliseconds(200);
                o.MinLeaseAmount = 1m;
                o.MaxLeaseAmount = 1m;
                configure?.Invoke(o);
            })
            .BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
        return new ClientUnderTest(services, path, storePath is null);
    }

    public async Task StartAsync()
    {
        foreach (var hosted in Services.GetServices<IHostedService>())
        {
            await hosted.StartAsync(CancellationToken.None);
        }
    }

    public async Task StopAsync()
    {
        foreach (var hosted in Services.GetServices<IHostedService>())
        {
            await hosted.StopAsync(CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        if (_ownsStore)
        {
            DeleteStore(StorePath);
        }
    }

    public static void DeleteStore(string path)
    {
        foreach (var file in new[] { path, Path.ChangeExtension(path, null) + "-log.db" })
        {
            if (File.Exists(file))
            {
                File.Delete(file);
            }
        }
    }
}
