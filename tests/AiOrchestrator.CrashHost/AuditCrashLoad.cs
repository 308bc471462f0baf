using System.Globalization;
using AiOrchestrator;
using AiOrchestrator.Audit;

/// <summary>
/// Appends audit entries from many workers until killed, and prints one line per entry once it is durable:
/// <c>durable &lt;sequence&gt; &lt;call id&gt;</c>. Half the workers wait for each entry (AppendAsync); the others
/// queue entries without waiting (Append) and only report them after a flush.
/// </summary>
internal static class AuditCrashLoad
{
    public static async Task<int> RunAsync(string directory, string round, int workers)
    {
        var options = new AuditOptions { Directory = directory, SegmentBytes = 64 * 1024, FlushInterval = TimeSpan.FromMilliseconds(2), CheckpointEveryEntries = 500 };
        var log = new AuditLog(options);
        var output = Console.Out;
        var outputLock = new Lock();
        Console.Error.WriteLine("ready");

        var tasks = new Task[workers];
        for (var w = 0; w < workers; w++)
        {
            var worker = w;
            tasks[w] = Task.Run(async () =>
            {
                for (var i = 0; ; i++)
                {
                    var e = new AuditEvent(AuditEntryKind.Settled, new AiCallId(Guid.CreateVersion7()))
                    {
                        Scope = new AiScope { Organization = "acme", Team = "search", User = "w" + worker.ToString(CultureInfo.InvariantCulture) },
                        Model = "gpt-4o",
                        Amount = 0.001m * (i % 100),
                        Currency = "USD",
                        Attributes = AuditAttributes.Of(AuditAttributeKey.Reference, round + "-" + worker.ToString(CultureInfo.InvariantCulture) + "-" + i.ToString(CultureInfo.InvariantCulture)),
                    };
                    long sequence;
                    if (worker % 2 == 0)
                    {
                        sequence = await log.AppendAsync(e);
                    }
                    else
                    {
                        sequence = log.Append(e);
                        await log.FlushAsync();
                    }

                    lock (outputLock)
                    {
                        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"durable {sequence} {e.CallId}"));
                        output.Flush();
                    }
                }
            });
        }

        await Task.WhenAll(tasks);
        return 0;
    }
}
