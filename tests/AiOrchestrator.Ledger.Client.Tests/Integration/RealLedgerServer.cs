using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using AiOrchestrator.Ledger.Client.Tests.FakeLedger;

namespace AiOrchestrator.Ledger.Client.Tests.Integration;

/// <summary>
/// The REAL ledger server (AiOrchestrator.Ledger.Server, built beside the tests) as a child process on a loopback
/// port, on a LiteDB file in a temporary directory. It can be stopped (SIGTERM, or SIGKILL) and started again on the
/// same port and file. Administration (organisation, wallets, client keys) goes through its HTTP API.
/// </summary>
internal sealed class RealLedgerServer : IAsyncDisposable
{
    public const string AdminKey = "client-tests-admin-key-0123456789abcdefghij";

    private readonly string _directory;
    private readonly HttpClient _admin;
    private Process? _process;
    private readonly List<string> _errors = [];

    private RealLedgerServer(int port)
    {
        Port = port;
        _directory = Directory.CreateTempSubdirectory("aio-ledger-client-it-").FullName;
        _admin = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(30) };
        _admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
    }

    public int Port { get; }

    public Uri Url => new($"http://127.0.0.1:{Port}/");

    public static async Task<RealLedgerServer> LaunchAsync()
    {
        var server = new RealLedgerServer(FakeLedgerServer.FreePort());
        await server.StartAsync();
        return server;
    }

    public static string ServerAssembly
    {
        get
        {
            // tests/AiOrchestrator.Ledger.Client.Tests/bin/<Configuration>/net10.0/ → src/AiOrchestrator.Ledger.Server/bin/<Configuration>/net10.0/
            var baseDirectory = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var framework = baseDirectory.Name;
            var configuration = baseDirectory.Parent!.Name;
            var root = baseDirectory.Parent!.Parent!.Parent!.Parent!.Parent!.FullName;
            return Path.Combine(root, "src", "AiOrchestrator.Ledger.Server", "bin", configuration, framework, "AiOrchestrator.Ledger.Server.dll");
        }
    }

    public async Task StartAsync()
    {
        File.Exists(ServerAssembly).Should().BeTrue($"the ledger server is built beside the tests ({ServerAssembly})");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[]
        {
            ServerAssembly, "--urls", Url.AbsoluteUri.TrimEnd('/'), "--environment", "Production",
            $"--Ledger:AdminKey={AdminKey}", $"--Ledger:Storage:LiteDbPath={Path.Combine(_directory, "ledger.db")}",
            "--Ledger:SweepIntervalSeconds=1", "--Logging:LogLevel:Default=Warning",
        })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_errors)
                {
                    _errors.Add(e.Data);
                }
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        using var probe = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            process.HasExited.Should().BeFalse($"the ledger server should start (stderr: {Errors})");
            try
            {
                using var health = await probe.GetAsync("health");
                if (health.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"The ledger server did not answer /health (stderr: {Errors}).");
    }

    /// <summary>Stops the server: SIGTERM (it finishes what it has) or, with <paramref name="kill"/>, SIGKILL.</summary>
    public async Task StopAsync(bool kill = false)
    {
        if (_process is not { } process)
        {
            return;
        }

        _process = null;
        if (!process.HasExited)
        {
            if (kill)
            {
                process.Kill(entireProcessTree: true);
            }
            else
            {
                using var term = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
                await term!.WaitForExitAsync();
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }

        process.Dispose();
    }

    public string Errors
    {
        get
        {
            lock (_errors)
            {
                return string.Join(" | ", _errors.TakeLast(20));
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(kill: true);
        _admin.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    public async Task CreateOrganisationAsync(string org)
        => await SendAsync(HttpMethod.Put, $"v1/organisations/{org}", JsonSerializer.Serialize(new OrganisationRequest(org), LedgerJsonContext.Default.OrganisationRequest));

    public async Task DefineWalletAsync(string org, string wallet, decimal limit, string period = "total")
        => await SendAsync(HttpMethod.Put, $"v1/organisations/{org}/wallets/{wallet}",
            JsonSerializer.Serialize(new WalletRequest("USD", limit.ToString(System.Globalization.CultureInfo.InvariantCulture), period, null, null), LedgerJsonContext.Default.WalletRequest));

    public async Task<string> ClientKeyAsync(string org, params string[] wallets)
    {
        var text = await SendAsync(HttpMethod.Post, "v1/keys", JsonSerializer.Serialize(new ApiKeyRequest("client", org, wallets, "client tests"), LedgerJsonContext.Default.ApiKeyRequest));
        return JsonSerializer.Deserialize(text, LedgerJsonContext.Default.ApiKeyResponse)!.Secret!;
    }

    public async Task<WalletResponse> WalletAsync(string org, string wallet)
        => JsonSerializer.Deserialize(await SendAsync(HttpMethod.Get, $"v1/organisations/{org}/wallets/{wallet}", null), LedgerJsonContext.Default.WalletResponse)!;

    public async Task<LeaseResponse> LeaseAsync(string org, string leaseId)
        => JsonSerializer.Deserialize(await SendAsync(HttpMethod.Get, $"v1/organisations/{org}/leases/{leaseId}", null), LedgerJsonContext.Default.LeaseResponse)!;

    public async Task<SpendReport> SpendByModelAsync(string org)
        => JsonSerializer.Deserialize(await SendAsync(HttpMethod.Get, $"v1/organisations/{org}/reports/spend?by=model&from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z", null), LedgerJsonContext.Default.SpendReport)!;

    private async Task<string> SendAsync(HttpMethod method, string path, string? json)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        if (method != HttpMethod.Get)
        {
            request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
        }

        using var response = await _admin.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        response.IsSuccessStatusCode.Should().BeTrue($"{method} {path} → {(int)response.StatusCode}: {text}");
        return text;
    }
}
