using System.Diagnostics;
using System.Globalization;

namespace AiOrchestrator.Ledger.Client.Tests.Integration;

/// <summary>
/// One AiOrchestrator.LedgerClientHost process (built beside the tests): it spends through the ledger client and
/// reports every durable spend; it can be killed with SIGKILL.
/// </summary>
internal sealed class ClientProcess : IDisposable
{
    private readonly Process _process;
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<string> _errors = [];
    private readonly Lock _gate = new();
    private decimal _spent;
    private decimal? _done;
    private int _refusedInARow;

    private ClientProcess(Process process) => _process = process;

    public decimal Spent
    {
        get
        {
            lock (_gate)
            {
                return _spent;
            }
        }
    }

    public decimal? Done => _done;

    public int RefusedInARow => Volatile.Read(ref _refusedInARow);

    public string Errors
    {
        get
        {
            lock (_errors)
            {
                return string.Join(" | ", _errors.TakeLast(10));
            }
        }
    }

    public static string HostAssembly
        => Path.Combine(AppContext.BaseDirectory.Replace("AiOrchestrator.Ledger.Client.Tests", "AiOrchestrator.LedgerClientHost", StringComparison.Ordinal), "AiOrchestrator.LedgerClientHost.dll");

    public static async Task<ClientProcess> StartAsync(params string[] arguments)
    {
        File.Exists(HostAssembly).Should().BeTrue($"the client host is built beside the tests ({HostAssembly})");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(HostAssembly);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var client = new ClientProcess(Process.Start(start)!);
        client._process.OutputDataReceived += (_, e) => client.OnLine(e.Data);
        client._process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (client._errors)
                {
                    client._errors.Add(e.Data);
                }
            }
        };
        client._process.BeginOutputReadLine();
        client._process.BeginErrorReadLine();
        var first = await Task.WhenAny(client._started.Task, client._process.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(60)));
        first.Should().Be(client._started.Task, $"the client host should start (stderr: {client.Errors})");
        return client;
    }

    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public async Task WaitForExitAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await _process.WaitForExitAsync(timeout.Token);
        _process.ExitCode.Should().Be(0, $"the client host should stop cleanly (stderr: {Errors})");
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        switch (line)
        {
            case null:
                return;
            case "started":
                _started.TrySetResult();
                return;
            case "refused":
                Interlocked.Increment(ref _refusedInARow);
                return;
        }

        if (line.StartsWith("spent ", StringComparison.Ordinal))
        {
            lock (_gate)
            {
                _spent = decimal.Parse(line[6..], CultureInfo.InvariantCulture);
            }

            Volatile.Write(ref _refusedInARow, 0);
        }
        else if (line.StartsWith("done ", StringComparison.Ordinal))
        {
            _done = decimal.Parse(line[5..], CultureInfo.InvariantCulture);
        }
    }
}
