using AiOrchestrator.Tests.TestDoubles;
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
        return await CrashHostRun.RunAndKillAsync(minimumDurable, "audit", directory, round.ToString(CultureInfo.InvariantCulture));
    }
}
