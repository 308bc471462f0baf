using System.Net;
using System.Text.Json;
using AiOrchestrator.Budgets;
using AiOrchestrator.Ledger;
using AiOrchestrator.Ledger.Client;
using AiOrchestrator.Ledger.Client.Http;
using AiOrchestrator.Ledger.Client.Leases;
using AiOrchestrator.Ledger.Client.Outbox;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;

namespace AiOrchestrator.Benchmarks;

/// <summary>
/// The budget stage's hot path, one reserve + settle pair on a three-wallet path: the local ledger in memory against
/// the ledger client spending from a lease (its settle queues a usage record for the durable outbox, written by the
/// background writer to a LiteDB file, uploaded in the background). The lease is taken once in the set-up; no pair touches the network.
/// </summary>
[MemoryDiagnoser]
public class LeasedLedgerBenchmarks
{
    private static readonly WalletId[] Path3 =
        [WalletId.ForUser("acme", "search", "alice"), WalletId.ForTeam("acme", "search"), WalletId.ForOrganization("acme")];

    private static readonly Money Hold = Money.Usd(0.05m);
    private static readonly Money Actual = Money.Usd(0.0123m);

    private BudgetLedger _local = null!;
    private LeasedBudgetLedger _leased = null!;
    private UsageOutbox _outbox = null!;
    private HttpClient _http = null!;
    private string _store = null!;
    private CancellationTokenSource _stop = null!;
    private Task _uploads = null!;

    [GlobalSetup]
    public void Setup()
    {
        _local = new BudgetLedger(LedgerBenchmarks.LedgerOptions(null));
        _store = Path.Combine(Path.GetTempPath(), "aio-leased-bench-" + Guid.NewGuid().ToString("N") + ".db");
        var options = new LedgerClientOptions
        {
            Url = new Uri("http://ledger.invalid/"),
            ApiKey = "bench",
            Organisation = "acme",
            MaxLeaseAmount = 1_000_000m,
            MinLeaseAmount = 1_000_000m,
            MaxLeaseTtl = TimeSpan.FromDays(1),

            // A benchmark settles far faster than LLM calls finish (and faster than the background upload drains):
            // no cap, so it measures the hot path rather than the outbox-full refusal.
            OutboxCapacity = int.MaxValue,
            UploadBatchSize = 5000,
        };
        _http = new HttpClient(new InstantLedger()) { BaseAddress = options.Url };
        _outbox = new UsageOutbox(_store, null, NullLogger.Instance);
        _leased = new LeasedBudgetLedger(options, new LedgerHttpClient(_http, "acme"), _outbox, TimeProvider.System, NullLogger.Instance, new LedgerClientMetrics(null));
        _leased.RefreshWalletsAsync(default).GetAwaiter().GetResult();
        ReserveSettle(_leased);

        // Uploads run in the background, as the hosted service runs them, so the outbox stays small.
        _stop = new CancellationTokenSource();
        _uploads = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                await _leased.UploadAsync(default);
                await Task.Delay(100);
            }
        });
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _stop.Cancel();
        _uploads.GetAwaiter().GetResult();
        _stop.Dispose();
        _local.Dispose();
        _leased.Dispose();
        _outbox.Dispose();
        _http.Dispose();
        File.Delete(_store);
    }

    /// <summary>The local ledger, in memory.</summary>
    [Benchmark(Baseline = true)]
    public decimal LocalInMemory() => ReserveSettle(_local).Posted.Amount;

    /// <summary>The ledger client: spend from the lease, usage record queued for the outbox.</summary>
    [Benchmark]
    public decimal Leased() => ReserveSettle(_leased).Posted.Amount;

    private static Settlement ReserveSettle(IBudgetReservations ledger)
    {
        var call = AiCallId.New(DateTimeOffset.UtcNow);
        var reservation = Completed(ledger.ReserveAsync(call, 0, Path3, Hold));
        return Completed(ledger.SettleAsync(call, 0, reservation, Actual));
    }

    private static T Completed<T>(ValueTask<T> task) => task.IsCompleted ? task.Result : task.AsTask().GetAwaiter().GetResult();

    /// <summary>Answers the few requests the set-up and the drain make: the wallets, one large lease, usage batches.</summary>
    private sealed class InstantLedger : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var now = DateTimeOffset.UtcNow;
            var path = request.RequestUri!.AbsolutePath;
            var json = LedgerJsonContext.Default;
            string body;
            if (path.EndsWith("/wallets", StringComparison.Ordinal))
            {
                IReadOnlyList<WalletResponse> wallets = [.. Path3.Select(w => new WalletResponse(w.Value, "USD", "1000000000", "total", "UTC", [], now, null, "0", "0", "0", "0", "1000000000", 1))];
                body = JsonSerializer.Serialize(wallets, json.IReadOnlyListWalletResponse);
            }
            else if (path.EndsWith("/usage", StringComparison.Ordinal))
            {
                var batch = JsonSerializer.Deserialize(await request.Content!.ReadAsStringAsync(cancellationToken), json.UsageBatchRequest)!;
                body = JsonSerializer.Serialize(new UsageBatchResponse(batch.Source, batch.Sequence, batch.Records.Count, 0, false), json.UsageBatchResponse);
            }
            else
            {
                body = JsonSerializer.Serialize(new LeaseResponse("lease-1", [.. Path3.Select(w => w.Value)], "1000000", "0", "1000000", "USD", "bench", "active", now, now.AddDays(1)), json.LeaseResponse);
            }

            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
        }
    }
}
