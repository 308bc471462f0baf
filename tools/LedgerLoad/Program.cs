using System.Globalization;
using System.Text;
using AiOrchestrator.Ledger.Server.Tests.TestInfrastructure;
using LedgerLoad;

// Usage:
//   dotnet run -c Release --project tools/LedgerLoad -- --start-server --storage litedb|postgres [options]
//   dotnet run -c Release --project tools/LedgerLoad -- --url http://host:port --admin-key KEY [options]
// Options:
//   --mode pairs|usage|all   what to measure (default all)
//   --clients N              concurrent reserve+commit callers (default 64)
//   --duration S / --warmup S  measured seconds (default 20) after a warm-up (default 5)
//   --depth 1|2|3            wallets per reservation: org; team+org; user+team+org (default 3)
//   --batches N / --batch-size N  usage batches measured (default 50) of N records (default 1,000)
//   --connection-string CS   with --storage postgres: use this database instead of starting a throw-away server
//   --server PATH            the server's dll (default: the Release build in src/AiOrchestrator.Ledger.Server)
LoadOptions options;
try
{
    options = LoadOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine("Usage: LedgerLoad --start-server --storage litedb|postgres [--clients 64] [--duration 20] [--mode all] | --url URL --admin-key KEY");
    return 2;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

PostgresServer? postgres = null;
LedgerServerProcess? server = null;
try
{
    Uri baseAddress;
    string adminKey;
    if (options.StartServer)
    {
        var connectionString = options.ConnectionString;
        if (options.Storage == "postgres" && connectionString is null)
        {
            // Durable settings (fsync and synchronous commit on), as a production database runs.
            postgres = await PostgresServer.StartAsync(durable: true, cancel.Token);
            connectionString = await postgres.CreateDatabaseAsync("ledger_load", cancel.Token);
            Console.WriteLine($"PostgreSQL: a throw-away server on port {postgres.Port} (fsync on, synchronous_commit on)");
        }

        var serverPath = options.ServerPath ?? Path.Combine(FindRepoRoot(), "src", "AiOrchestrator.Ledger.Server", "bin", "Release", "net10.0", "AiOrchestrator.Ledger.Server.dll");
        server = await LedgerServerProcess.StartAsync(serverPath, options.Storage, connectionString, cancel.Token);
        baseAddress = server.BaseAddress;
        adminKey = server.AdminKey;
        Console.WriteLine($"Ledger server: {baseAddress} (pid {server.ProcessId}, storage {options.Storage})");
    }
    else
    {
        baseAddress = options.Url!;
        adminKey = options.AdminKey!;
    }

    using var adminHttp = LedgerApi.CreateHttpClient(baseAddress, adminKey, 4);
    var (target, clientKey) = await LedgerSetup.CreateAsync(new LedgerApi(adminHttp), options.Clients, options.Depth, cancel.Token);
    using var http = LedgerApi.CreateHttpClient(baseAddress, clientKey, options.Clients + 4);
    var api = new LedgerApi(http);
    var report = new StringBuilder();
    report.AppendLine(CultureInfo.InvariantCulture, $"date: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; machine: {Environment.ProcessorCount} cores, {CpuModel()}; load average before: {LoadAverage()}");
    report.AppendLine(CultureInfo.InvariantCulture, $"storage: {(options.StartServer ? options.Storage : "remote")}; wallets per reservation: {options.Depth}");

    if (options.Mode is "pairs" or "all")
    {
        var pairs = await new PairLoad(api, target, options.Clients).RunAsync(options.Warmup, options.Duration, cancel.Token);
        report.AppendLine(pairs.ToString());
        report.AppendLine(CultureInfo.InvariantCulture, $"load average after pairs: {LoadAverage()}");
        var wallet = await new LedgerApi(adminHttp).GetWalletAsync(target.Organisation, target.OrganisationWallet, cancel.Token);
        report.AppendLine(CultureInfo.InvariantCulture, $"organisation wallet after pairs: spent {wallet.Spent}, reserved {wallet.Reserved}, version {wallet.Version}");
    }

    if (options.Mode is "usage" or "all")
    {
        var usage = await new UsageBatchLoad(api, target, options.Batches, options.BatchSize).RunAsync(cancel.Token);
        report.AppendLine(usage.ToString());
    }

    if (server?.Memory() is { } memory)
    {
        report.AppendLine(CultureInfo.InvariantCulture, $"ledger server memory: peak resident {ServerMemory.Mb(memory.PeakBytes)} (VmHWM), now {ServerMemory.Mb(memory.CurrentBytes)} (VmRSS)");
    }

    Console.WriteLine(report.ToString());
    return 0;
}
catch (OperationCanceledException) when (cancel.IsCancellationRequested)
{
    Console.Error.WriteLine("Cancelled.");
    return 130;
}
finally
{
    if (server is not null)
    {
        await server.DisposeAsync();
    }

    if (postgres is not null)
    {
        await postgres.DisposeAsync();
    }
}

static string FindRepoRoot()
{
    var directory = new DirectoryInfo(AppContext.BaseDirectory);
    while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "AiOrchestrator.sln")))
    {
        directory = directory.Parent;
    }

    return directory?.FullName ?? throw new InvalidOperationException("Run the load generator from the repository (AiOrchestrator.sln not found above it), or pass --server.");
}

static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

static string CpuModel() => File.Exists("/proc/cpuinfo")
    ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU"
    : "unknown CPU";
