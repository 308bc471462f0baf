using System.Diagnostics;

namespace AiOrchestrator.Tests.TestDoubles;

/// <summary>
/// Runs <c>AiOrchestrator.CrashHost</c> (built next to the tests) with the given arguments until it has
/// reported the given number of durable lines, then kills it with SIGKILL (no finally blocks, no flush,
/// no disposal) and returns every line it reported. Shared by the budget-journal and audit-log crash tests.
/// </summary>
internal static class CrashHostRun
{
    public static async Task<List<string>> RunAndKillAsync(int minimumDurable, params string[] arguments)
    {
        var host = Path.Combine(AppContext.BaseDirectory.Replace("AiOrchestrator.Tests", "AiOrchestrator.CrashHost", StringComparison.Ordinal), "AiOrchestrator.CrashHost.dll");
        File.Exists(host).Should().BeTrue($"the crash host is built next to the tests ({host})");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(host);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var lines = new List<string>();
        var enough = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reported = 0;
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { Length: > 0 } line)
            {
                lock (lines)
                {
                    lines.Add(line);
                }

                if (Interlocked.Increment(ref reported) >= minimumDurable)
                {
                    enough.TrySetResult();
                }
            }
        };
        var errors = new List<string>();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (errors)
                {
                    errors.Add(e.Data);
                }
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var exited = process.WaitForExitAsync();
        var first = await Task.WhenAny(enough.Task, exited, Task.Delay(TimeSpan.FromMinutes(2)));
        first.Should().Be(enough.Task, $"the crash host should report durable lines (stderr: {string.Join(" | ", errors)})");

        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        lock (lines)
        {
            return [.. lines];
        }
    }
}
