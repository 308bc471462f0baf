using System.Globalization;
using AiOrchestrator;
using AiOrchestrator.Budgets;
using AiOrchestrator.Ledger.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// Spends `--amount` per call on the scope org:<org> through the ledger client until the file `--stop` exists, then
// stops the host (which uploads the outbox and returns the leases). Each call whose usage record is on disk prints
// "spent <total so far>"; a refused call prints "refused". `--calls 0` only starts and stops (drains the outbox).
var options = Arguments(args);
var builder = Host.CreateApplicationBuilder();
// Warnings and errors go to stderr, which the fault test shows when it fails; stdout carries the spend lines.
builder.Logging.ClearProviders();
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
builder.Services.AddAiOrchestrator(o => o.StorePath = options["store"])
    .UseLedger(o =>
    {
        o.Url = new Uri(options["url"]);
        o.ApiKey = options["key"];
        o.Organisation = options["org"];
        o.Fallback = options.ContainsKey("allowance") ? LedgerFallback.Allowance : LedgerFallback.Deny;
        o.FallbackAllowance = options.TryGetValue("allowance", out var allowance) ? decimal.Parse(allowance, CultureInfo.InvariantCulture) : 0m;
        o.RequestTimeout = TimeSpan.FromMilliseconds(500);
        o.RetryUnreachableAfter = TimeSpan.FromMilliseconds(200);
        o.SyncInterval = TimeSpan.FromMilliseconds(50);
        o.UploadInterval = TimeSpan.FromMilliseconds(200);
        o.MinLeaseAmount = 0.05m;
        o.MaxLeaseAmount = 0.20m;
        o.MinLeaseTtl = TimeSpan.FromSeconds(5);
        o.MaxLeaseTtl = TimeSpan.FromSeconds(10);
        o.RenewBeforeExpiry = TimeSpan.FromSeconds(3);
        o.ExpiryMargin = TimeSpan.FromSeconds(1);
    });
using var host = builder.Build();
await host.StartAsync();

var ledger = host.Services.GetRequiredService<IBudgetReservations>();
var amount = Money.Usd(decimal.Parse(options["amount"], CultureInfo.InvariantCulture));
var path = ledger.GetWalletPath(new AiScope { Organization = options["org"] });
var total = 0m;
var calls = options.TryGetValue("calls", out var limit) ? int.Parse(limit, CultureInfo.InvariantCulture) : int.MaxValue;
Console.WriteLine("started");
for (var i = 0; i < calls && !File.Exists(options["stop"]); i++)
{
    var call = AiCallId.New(DateTimeOffset.UtcNow);
    Reservation reservation;
    try
    {
        reservation = await ledger.ReserveAsync(call, 0, path, amount);
    }
    catch (BudgetExceededException)
    {
        Console.WriteLine("refused");
        await Task.Delay(20);
        continue;
    }

    var settlement = await ledger.SettleAsync(call, 0, reservation, amount);
    await settlement.Durable;
    total += amount.Amount;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"spent {total}"));
    await Task.Delay(5);
}

await host.StopAsync();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"done {total}"));
return 0;

static Dictionary<string, string> Arguments(string[] args)
{
    var options = new Dictionary<string, string>(StringComparer.Ordinal);
    for (var i = 0; i + 1 < args.Length; i += 2)
    {
        options[args[i].TrimStart('-')] = args[i + 1];
    }

    foreach (var required in new[] { "url", "key", "org", "store", "amount", "stop" })
    {
        if (!options.ContainsKey(required))
        {
            throw new ArgumentException($"--{required} is required.");
        }
    }

    return options;
}
