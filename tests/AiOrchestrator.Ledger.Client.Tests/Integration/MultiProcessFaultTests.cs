using System.Globalization;
using static AiOrchestrator.Ledger.Client.Tests.TestDoubles.Wallets;

namespace AiOrchestrator.Ledger.Client.Tests.Integration;

/// <summary>
/// Several client PROCESSES spend against one organisation budget on the REAL ledger while the ledger is stopped and
/// restarted and one client is killed with SIGKILL; afterwards the ledger's spend equals every process's durable
/// spend and the overspend stayed within outstanding leases + fallback allowances.
/// </summary>
public sealed class MultiProcessFaultTests : IAsyncLifetime
{
    private const decimal Limit = 2.00m;
    private const decimal Allowance = 0.05m;
    private const decimal PerCall = 0.01m;
    private const int Processes = 3;

    private RealLedgerServer _ledger = null!;
    private string _directory = null!;

    public async Task InitializeAsync()
    {
        _ledger = await RealLedgerServer.LaunchAsync();
        _directory = Directory.CreateTempSubdirectory("aio-ledger-fault-").FullName;
    }

    public async Task DisposeAsync()
    {
        await _ledger.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Processes_spending_through_a_ledger_restart_and_a_kill_9_lose_nothing_and_stay_within_the_bound()
    {
        await _ledger.CreateOrganisationAsync("acme");
        await _ledger.DefineWalletAsync("acme", Org.Value, Limit);
        var key = await _ledger.ClientKeyAsync("acme", Org.Value);
        var stop = Path.Combine(_directory, "stop");
        string Store(int i) => Path.Combine(_directory, $"client-{i}.db");
        string[] Arguments(int i, params string[] more) =>
        [
            "--url", _ledger.Url.AbsoluteUri, "--key", key, "--org", "acme", "--store", Store(i),
            "--amount", PerCall.ToString(CultureInfo.InvariantCulture), "--allowance", Allowance.ToString(CultureInfo.InvariantCulture), "--stop", stop, .. more,
        ];

        var clients = new List<ClientProcess>();
        try
        {
            for (var i = 0; i < Processes; i++)
            {
                clients.Add(await ClientProcess.StartAsync(Arguments(i)));
            }

            await WaitForAsync(() => clients.Sum(c => c.Spent) >= 0.3m, "the clients spend");

            // The ledger goes away: the clients spend their leases, then their allowances, then are refused.
            await _ledger.StopAsync();
            await WaitForAsync(() => clients.All(c => c.RefusedInARow >= 5), "the clients run out of leases and allowance");
            var killed = clients[0];
            await killed.KillAsync();
            var killedPrinted = killed.Spent;

            await _ledger.StartAsync();
            var living = clients.Skip(1).ToList();
            await WaitForAsync(() => living.All(c => c.RefusedInARow >= 50), "the living clients spend the rest of the budget");
            await File.WriteAllTextAsync(stop, "stop");
            foreach (var client in living)
            {
                await client.WaitForExitAsync();
            }

            // The killed client's next run uploads what its outbox kept.
            using (var recovery = await ClientProcess.StartAsync(Arguments(0, "--calls", "0")))
            {
                await recovery.WaitForExitAsync();
            }

            var spent = decimal.Parse((await _ledger.WalletAsync("acme", Org.Value)).Spent, CultureInfo.InvariantCulture);
            for (var i = 0; i < Processes; i++)
            {
                OutboxDepth(Store(i)).Should().Be(0, $"client {i}'s outbox is uploaded (stderr: {(i == 0 ? "" : clients[i].Errors)})");
            }

            var livingSpent = living.Sum(c => c.Done!.Value);
            var killedSpent = spent - livingSpent;
            killedSpent.Should().BeGreaterThanOrEqualTo(killedPrinted, "every spend the killed process reported durable reached the ledger");
            killedSpent.Should().BeLessThanOrEqualTo(killedPrinted + PerCall, "at most its one call in flight was durable but not yet reported");
            (spent - Limit).Should().BeLessThanOrEqualTo(Processes * Allowance, "overspend is bounded by the fallback allowances (lease spend was held at the ledger)");
            livingSpent.Should().BeGreaterThan(0m);
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
    }

    private static long OutboxDepth(string store)
    {
        using var database = new LiteDB.LiteDatabase(new LiteDB.ConnectionString { Filename = store, Connection = LiteDB.ConnectionType.Direct, ReadOnly = true });
        return database.GetCollection("ledger_outbox").LongCount();
    }

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(120);
        while (!condition())
        {
            DateTimeOffset.UtcNow.Should().BeBefore(deadline, $"{what} within two minutes");
            await Task.Delay(50);
        }
    }
}
