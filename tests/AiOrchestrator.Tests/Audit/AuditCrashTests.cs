using System.Diagnostics;
using System.Globalization;
using AiOrchestrator.Audit;

namespace AiOrchestrator.Tests.Audit;

/// <summary>
/// Kills a process appending audit entries with SIGKILL (kill -9), three times, and checks after each restart that
/// every entry reported durable is there with its call id, and that the whole chain and the saved checkpoint verify.
/// </summary>
public class AuditCrashTests
{
    [Fact]
    public async Task Killing_the_process_mid_append_loses_nothing_acknowledged_and_the_chain_verifies()
    {
        using var temp = new AuditTestLog();
        var acknowledged = new Dictionary<long, string>();
        for (var round = 1; round <= 3; round++)
        {
            foreach (var line in await RunAndKillAsync(temp.Directory, round, minimumDurable: 400 * round))
            {
                var parts = line.Split(' ');
                if (parts[0] == "durable")
                {
                    acknowledged.Add(long.Parse(parts[1], CultureInfo.InvariantCulture), parts[2]);
                }
            }

            // Opening recovers (cutting a torn last record at most) and checks the log's own signed checkpoint.
            var options = temp.Options();
            await using (var log = new AuditLog(options))
            {
                log.Count.Should().BeGreaterThan(acknowledged.Keys.Max(), "every acknowledged entry is on disk");
                var entries = log.ReadEntries();
                foreach (var (sequence, call) in acknowledged)
                {
                    entries[(int)sequence].CallId.ToString().Should().Be(call, $"entry {sequence} was acknowledged before the kill");
                }

                var checkpoint = await log.CreateCheckpointAsync();
                using var publicKey = System.Security.Cryptography.ECDsa.Create();
                publicKey.ImportFromPem(log.PublicKeyPem);
                log.Dispose();
                var report = AuditVerifier.Verify(temp.Directory, checkpoint, publicKey);
                report.IsValid.Should().BeTrue(report.ToString());
                report.EntriesVerified.Should().Be(entries.Count);
            }

            AuditSegmentFile.List(temp.Directory).Count.Should().BeGreaterThan(1, "the host's small segments rotate");
        }
    }

    private static async Task<List<string>> RunAndKillAsync(string directory, int round, int minimumDurable)
    {
        var host = Path.Combine(AppContext.BaseDirectory.Replace("AiOrchestrator.Tests", "AiOrchestrator.CrashHost", StringComparison.Ordinal), "AiOrchestrator.CrashHost.dll");
        File.Exists(host).Should().BeTrue($"the crash host is built next to the tests ({host})");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { host, "audit", directory, round.ToString(CultureInfo.InvariantCulture) })
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
        first.Should().Be(enough.Task, $"the crash host should report durable entries (stderr: {string.Join(" | ", errors)})");

        // SIGKILL: no finally blocks, no flush, no disposal.
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        lock (lines)
        {
            return [.. lines];
        }
    }
}
