// Runs reserve/settle/release load against a budget journal until killed, and prints one line per operation once
// it is durable:
//   settled <key> <reservationId> <actual>
//   released <key> <reservationId>
// Usage: AiOrchestrator.CrashHost <journal path> <round> [workers]
//    or: AiOrchestrator.CrashHost audit <log folder> <round> [workers]   (see AuditCrashLoad)
using System.Globalization;
using AiOrchestrator;
using AiOrchestrator.Budgets;

if (args.Length >= 3 && args[0] == "audit")
{
    return await AuditCrashLoad.RunAsync(args[1], args[2], args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 8);
}

if (args.Length < 2)
{
    Console.Error.WriteLine("usage: AiOrchestrator.CrashHost <journal path> <round> [workers]");
    return 2;
}

var path = args[0];
var round = args[1];
var workers = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 16;

// Small snapshots, so that a kill often lands between a snapshot and the journal records after it.
var options = new BudgetOptions { StorePath = path, SnapshotAfterBytes = 64 * 1024 };
options.Wallets.Add(new WalletOptions { Id = "org:acme", Limit = 1_000_000m, Period = BudgetPeriod.Total });
options.Wallets.Add(new WalletOptions { Id = "team:acme/search", Limit = 1_000_000m, Period = BudgetPeriod.Total });
options.Wallets.Add(new WalletOptions { Id = "user:acme/search/alice", Limit = 1_000_000m, Period = BudgetPeriod.Total });
var ledger = new BudgetLedger(options);
WalletId[] scopePath = [WalletId.ForUser("acme", "search", "alice"), WalletId.ForTeam("acme", "search"), WalletId.ForOrganization("acme")];

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
            var op = string.Create(CultureInfo.InvariantCulture, $"{round}-{worker}-{i}");
            var reservation = await ledger.ReserveAsync(scopePath, Money.Usd(1m), "r-" + op);
            string line;
            if (i % 5 == 4)
            {
                var released = await ledger.ReleaseAsync(reservation.Id, "x-" + op);
                await released.Durable;
                line = string.Create(CultureInfo.InvariantCulture, $"released x-{op} {reservation.Id}");
            }
            else if (i % 7 == 6)
            {
                // Left pending on purpose: a crash must not leave it pending after restart.
                await reservation.Durable;
                continue;
            }
            else
            {
                var actual = Money.Usd(0.001m * (1 + (i % 100)));
                var settled = await ledger.SettleAsync(reservation.Id, actual, "s-" + op);
                await settled.Durable;
                line = string.Create(CultureInfo.InvariantCulture, $"settled s-{op} {reservation.Id} {actual.Amount}");
            }

            lock (outputLock)
            {
                output.WriteLine(line);
                output.Flush();
            }
        }
    });
}

await Task.WhenAll(tasks);
return 0;
