using System.Diagnostics;
using System.Globalization;
using AiOrchestrator.Budgets;
using AiOrchestrator.Metering;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace AiOrchestrator.Benchmarks.Soak;

/// <summary>
/// A soak run, not a BenchmarkDotNet benchmark: drives N calls at full speed through the budgeted pipeline
/// (<c>UseAiOrchestrator()</c> with a durable budget journal and the default LiteDB usage store in a temporary
/// folder, one team wallet big enough for every call, a provider that answers at once, 8 concurrent callers) and
/// prints, every 1,000,000 calls and at the end: calls/s, the managed heap after a full GC, RSS, and the sizes of the
/// journal and usage-store files. Then it disposes the ledger, reopens it from its files and reports how long that
/// took. Goals after 10,000,000 calls: heap ≤ 128 MB, RSS ≤ 256 MB, live journal ≤ 64 MB, reopen ≤ 1 s.
/// </summary>
/// <remarks>
/// <c>dotnet run -c Release --project tests/AiOrchestrator.Benchmarks -- soak --calls 10000000 [--callers 8] [--every 1000000] [--keep]</c>
/// </remarks>
internal static class BudgetSoak
{
    private const decimal WalletLimit = 1_000_000_000m;
    private static readonly WalletId Team = WalletId.ForTeam("soak", "t1");
    private static readonly WalletId Org = WalletId.ForOrganization("soak");

    public static async Task<int> RunAsync(string[] args)
    {
        var calls = Option(args, "--calls", 10_000_000L);
        var callers = (int)Option(args, "--callers", 8L);
        var every = Option(args, "--every", 1_000_000L);
        var keep = args.Contains("--keep");
        var folder = Path.Combine(Path.GetTempPath(), "aiorchestrator-soak-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var journal = Path.Combine(folder, "budget.journal");
        Console.WriteLine($"soak: {calls:N0} calls, {callers} callers, report every {every:N0}; files in {folder}");
        Console.WriteLine($"{"calls",12} {"calls/s",10} {"heap MB",9} {"RSS MB",8} {"journal MB",11} {"snapshot MB",12} {"usage db MB",12}");

        try
        {
            var budget = BudgetOptionsFor(journal);
            var services = new ServiceCollection();
            services.AddAiOrchestrator(o => o.StorePath = Path.Combine(folder, "usage.db"));
            services.AddBudgetLedger(configure: o => Copy(budget, o));
            services.AddChatClient(new InstantChatClient()).UseAiOrchestrator();

            var total = Stopwatch.StartNew();
            await using (var sp = services.BuildServiceProvider())
            {
                var chat = sp.GetRequiredService<IChatClient>();
                var ledger = sp.GetRequiredService<IBudgetLedger>();
                var store = sp.GetRequiredService<IUsageStore>();
                var issued = 0L;
                var done = 0L;
                var interval = Stopwatch.StartNew();
                var intervalStart = 0L;
                var report = new SemaphoreSlim(1, 1);

                async Task CallerAsync()
                {
                    List<ChatMessage> messages = [new(ChatRole.User, "Summarise the release notes of version 4.2 in three sentences.")];
                    var options = new ChatOptions { MaxOutputTokens = 256 };
                    using var scope = AiScope.Begin(organization: "soak", team: "t1");
                    while (Interlocked.Increment(ref issued) <= calls)
                    {
                        await chat.GetResponseAsync(messages, options).ConfigureAwait(false);
                        var finished = Interlocked.Increment(ref done);
                        if (finished % every == 0 && finished != calls)
                        {
                            await report.WaitAsync().ConfigureAwait(false);
                            try
                            {
                                var rate = (finished - intervalStart) / interval.Elapsed.TotalSeconds;
                                intervalStart = finished;
                                Print(finished, rate, folder, journal);
                                interval.Restart();
                            }
                            finally
                            {
                                report.Release();
                            }
                        }
                    }
                }

                await Task.WhenAll(Enumerable.Range(0, callers).Select(_ => Task.Run(CallerAsync))).ConfigureAwait(false);
                var elapsed = total.Elapsed;
                var flush = Stopwatch.StartNew();
                await ledger.FlushAsync().ConfigureAwait(false);
                var ledgerFlush = flush.Elapsed;
                await store.FlushAsync().ConfigureAwait(false);
                Console.WriteLine($"flush after the last call: ledger {ledgerFlush.TotalMilliseconds:N0} ms, usage store {(flush.Elapsed - ledgerFlush).TotalMilliseconds:N0} ms");
                var rateLast = (calls - intervalStart) / interval.Elapsed.TotalSeconds;
                Print(calls, rateLast, folder, journal);
                var wallet = ledger.GetWallet(Team);
                Console.WriteLine($"all {calls:N0} calls in {elapsed.TotalSeconds:F1} s: {calls / elapsed.TotalSeconds:N0} calls/s overall; team spent {wallet.Spent}, reserved {wallet.Reserved}");
            }

            Console.WriteLine($"dispose (the ledger writes its snapshot): {total.Elapsed.TotalSeconds:F1} s since the start; files: {Files(folder)}");

            // Reopen the ledger from its files, as a restarted process would.
            var reopen = Stopwatch.StartNew();
            await using (var reopened = new BudgetLedger(budget))
            {
                var wallet = reopened.GetWallet(Team);
                reopen.Stop();
                Console.WriteLine($"reopen: {reopen.Elapsed.TotalMilliseconds:N0} ms (team spent {wallet.Spent}, reserved {wallet.Reserved}); heap {HeapMb():F1} MB, RSS {RssMb():F1} MB");
            }

            return 0;
        }
        finally
        {
            if (keep)
            {
                Console.WriteLine($"kept {folder}");
            }
            else
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    private static BudgetOptions BudgetOptionsFor(string journal)
    {
        var options = new BudgetOptions { StorePath = journal };
        options.Wallets.Add(new WalletOptions { Id = Org.Value, Limit = WalletLimit, Period = BudgetPeriod.Total });
        options.Wallets.Add(new WalletOptions { Id = Team.Value, Limit = WalletLimit, Period = BudgetPeriod.Total });
        return options;
    }

    private static void Copy(BudgetOptions from, BudgetOptions to)
    {
        to.StorePath = from.StorePath;
        foreach (var wallet in from.Wallets)
        {
            to.Wallets.Add(wallet);
        }
    }

    private static void Print(long calls, double rate, string folder, string journal)
    {
        var heap = HeapMb();
        Console.WriteLine($"{calls,12:N0} {rate,10:N0} {heap,9:F1} {RssMb(),8:F1} {SizeMb(journal),11:F1} {SizeMb(journal + ".snapshot"),12:F1} {UsageDbMb(folder),12:F1}");
    }

    private static double HeapMb()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        return GC.GetTotalMemory(forceFullCollection: true) / 1048576.0;
    }

    private static double RssMb()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    return long.Parse(line.AsSpan(6).Trim().ToString().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0;
                }
            }
        }
        catch (IOException)
        {
        }

        return Environment.WorkingSet / 1048576.0;
    }

    private static double SizeMb(string path) => File.Exists(path) ? new FileInfo(path).Length / 1048576.0 : 0;

    private static double UsageDbMb(string folder)
        => Directory.EnumerateFiles(folder, "usage*").Sum(f => new FileInfo(f).Length) / 1048576.0;

    private static string Files(string folder)
        => string.Join(", ", Directory.EnumerateFiles(folder).Select(f => $"{Path.GetFileName(f)} {new FileInfo(f).Length / 1048576.0:F1} MB"));

    private static long Option(string[] args, string name, long fallback)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? long.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
