using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using AiOrchestrator.Ledger;

namespace LedgerLoad;

/// <summary>
/// A ledger server started as a child process on a free loopback port, with a fresh store (a LiteDB file in a temp
/// directory, or a given PostgreSQL database) and a random admin key, stopped when disposed. Its resident memory is
/// read from <c>/proc</c>.
/// </summary>
internal sealed class LedgerServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;

    private LedgerServerProcess(Process process, string directory, Uri baseAddress, string adminKey)
    {
        _process = process;
        _directory = directory;
        BaseAddress = baseAddress;
        AdminKey = adminKey;
    }

    public Uri BaseAddress { get; }

    public string AdminKey { get; }

    public int ProcessId => _process.Id;

    public static async Task<LedgerServerProcess> StartAsync(string serverPath, string storage, string? connectionString, CancellationToken cancellationToken)
    {
        if (!File.Exists(serverPath))
        {
            throw new FileNotFoundException(
                $"The ledger server was not found at '{serverPath}'. Build it (dotnet build -c Release src/AiOrchestrator.Ledger.Server) or pass --server <path to AiOrchestrator.Ledger.Server.dll>.");
        }

        var directory = Directory.CreateTempSubdirectory("ledger-load-").FullName;
        var port = FreePort();
        var adminKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var start = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = directory,
        };
        start.ArgumentList.Add(serverPath);
        start.ArgumentList.Add("--urls=http://127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture));
        start.ArgumentList.Add("--Ledger:AdminKey=" + adminKey);
        start.ArgumentList.Add("--Ledger:Storage:Provider=" + storage);
        start.ArgumentList.Add("--Ledger:Storage:LiteDbPath=" + Path.Combine(directory, "ledger.db"));
        if (connectionString is not null)
        {
            start.ArgumentList.Add("--Ledger:Storage:PostgresConnectionString=" + connectionString);
        }

        // Measure the server as it ships, with its logs at warnings so the console is not the bottleneck.
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start dotnet " + serverPath);
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.OutputDataReceived += (_, e) => Keep(output, e.Data);
        process.ErrorDataReceived += (_, e) => Keep(output, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new LedgerServerProcess(process, directory, new Uri("http://127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture)), adminKey);
        using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (process.HasExited)
            {
                break;
            }

            try
            {
                using var health = await http.GetAsync(LedgerRoutes.Health, cancellationToken).ConfigureAwait(false);
                if (health.StatusCode == HttpStatusCode.OK)
                {
                    return server;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }

        await server.DisposeAsync().ConfigureAwait(false);
        throw new InvalidOperationException("The ledger server did not become healthy:" + Environment.NewLine + string.Join(Environment.NewLine, output));
    }

    public (long CurrentBytes, long PeakBytes)? Memory() => ServerMemory.Read(_process.Id);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().ConfigureAwait(false);
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static void Keep(System.Collections.Concurrent.ConcurrentQueue<string> output, string? line)
    {
        if (line is null)
        {
            return;
        }

        output.Enqueue(line);
        while (output.Count > 200)
        {
            output.TryDequeue(out _);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
