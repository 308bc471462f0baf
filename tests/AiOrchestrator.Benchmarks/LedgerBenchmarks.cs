using System.Globalization;
using AiOrchestrator.Budgets;
using AiOrchestrator.Storage;
using BenchmarkDotNet.Attributes;
using LiteDB;

namespace AiOrchestrator.Benchmarks;

/// <summary>
/// The cost of one reserve + settle pair in the ledger alone (one caller): in memory, with the journal written in
/// the background (the default: callers do not wait for the disk), and waiting for durability on every pair.
/// </summary>
[MemoryDiagnoser]
public class LedgerBenchmarks
{
    private static readonly WalletId[] Path3 =
        [WalletId.ForUser("acme", "search", "alice"), WalletId.ForTeam("acme", "search"), WalletId.ForOrganization("acme")];

    private static readonly Money Hold = Money.Usd(0.05m);
    private static readonly Money Actual = Money.Usd(0.0123m);

    private BudgetLedger _memory = null!;
    private BudgetLedger _journaled = null!;
    private string _directory = null!;
    private long _next;

    [GlobalSetup]
    public void Setup()
    {
        _directory = Path.Combine(Path.GetTempPath(), "aio-ledger-bench-" + Guid.NewGuid().ToString("N"));
        _memory = new BudgetLedger(LedgerOptions(null));
        _journaled = new BudgetLedger(LedgerOptions(Path.Combine(_directory, "budget.journal")));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _memory.Dispose();
        _journaled.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>Reserve on a three-wallet scope path and settle, in memory.</summary>
    [Benchmark(Baseline = true)]
    public decimal InMemory() => ReserveSettle(_memory).Posted.Amount;

    /// <summary>The same with the journal: the record is written by the group-commit writer, the caller does not wait.</summary>
    [Benchmark]
    public decimal Journaled() => ReserveSettle(_journaled).Posted.Amount;

    /// <summary>The same, waiting until the settlement is on disk (strict mode; one caller, so one flush per pair).</summary>
    [Benchmark]
    public async Task<decimal> JournaledAwaitDurable()
    {
        var settlement = ReserveSettle(_journaled);
        await settlement.Durable;
        return settlement.Posted.Amount;
    }

    /// <summary>The hot path (<see cref="IBudgetReservations"/>): keyed by call id and attempt, no key strings.</summary>
    [Benchmark]
    public decimal HotPathInMemory() => HotPathReserveSettle(_memory).Posted.Amount;

    /// <summary>The hot path with the journal written by the group-commit writer.</summary>
    [Benchmark]
    public decimal HotPathJournaled() => HotPathReserveSettle(_journaled).Posted.Amount;

    internal static Settlement HotPathReserveSettle(BudgetLedger ledger)
    {
        var call = AiCallId.New(DateTimeOffset.UtcNow);
        var reservation = Completed(ledger.ReserveAsync(call, 0, Path3, Hold));
        return Completed(ledger.SettleAsync(call, 0, reservation, Actual));
    }

    internal static BudgetOptions LedgerOptions(string? path)
    {
        // Keys and resolved reservations are remembered for the retention window; keep it short so a long benchmark
        // measures a steady state instead of an ever-growing dictionary.
        var options = new BudgetOptions { StorePath = path, ReservationTimeout = TimeSpan.FromSeconds(1), IdempotencyRetention = TimeSpan.FromSeconds(1) };
        foreach (var wallet in Path3)
        {
            options.Wallets.Add(new WalletOptions { Id = wallet.Value, Limit = 1_000_000_000m, Period = BudgetPeriod.Total });
        }

        return options;
    }

    internal static Settlement ReserveSettle(BudgetLedger ledger, ref long counter)
    {
        // Keys are made per call, as the middleware will; their allocation is part of the measurement.
        var n = Interlocked.Increment(ref counter);
        var reservation = Completed(ledger.ReserveAsync(Path3, Hold, string.Create(CultureInfo.InvariantCulture, $"r{n}")));
        return Completed(ledger.SettleAsync(reservation.Id, Actual, string.Create(CultureInfo.InvariantCulture, $"s{n}")));
    }

    // The local ledger completes synchronously; the fallback only keeps this correct for any IBudgetLedger.
    private static T Completed<T>(ValueTask<T> task) => task.IsCompleted ? task.Result : task.AsTask().GetAwaiter().GetResult();

    private Settlement ReserveSettle(BudgetLedger ledger) => ReserveSettle(ledger, ref _next);
}

/// <summary>
/// Throughput goal: reserve + settle pairs per second with 64 concurrent callers, each waiting until its settlement
/// is durable before its next pair. The mean is per pair; pairs/s = 1 / mean.
/// </summary>
[MemoryDiagnoser]
public class LedgerThroughputBenchmarks
{
    private const int Callers = 64;
    private const int PairsPerCaller = 200;

    private BudgetLedger _ledger = null!;
    private string _directory = null!;
    private long _next;

    [GlobalSetup]
    public void Setup()
    {
        _directory = Path.Combine(Path.GetTempPath(), "aio-ledger-bench-" + Guid.NewGuid().ToString("N"));
        _ledger = new BudgetLedger(LedgerBenchmarks.LedgerOptions(Path.Combine(_directory, "budget.journal")));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _ledger.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark(OperationsPerInvoke = Callers * PairsPerCaller)]
    public async Task DurablePairs64Callers()
    {
        var callers = new Task[Callers];
        for (var i = 0; i < Callers; i++)
        {
            callers[i] = Task.Run(Caller);
        }

        await Task.WhenAll(callers);
    }

    [Benchmark(OperationsPerInvoke = Callers * PairsPerCaller)]
    public async Task NotAwaitedPairs64Callers()
    {
        var callers = new Task[Callers];
        for (var i = 0; i < Callers; i++)
        {
            callers[i] = Task.Run(CallerNoWait);
        }

        await Task.WhenAll(callers);
        await _ledger.FlushAsync();
    }

    private async Task Caller()
    {
        for (var i = 0; i < PairsPerCaller; i++)
        {
            await LedgerBenchmarks.ReserveSettle(_ledger, ref _next).Durable;
        }
    }

    private Task CallerNoWait()
    {
        for (var i = 0; i < PairsPerCaller; i++)
        {
            LedgerBenchmarks.ReserveSettle(_ledger, ref _next);
        }

        return Task.CompletedTask;
    }
}

/// <summary>
/// Why the journal is a file and not LiteDB: the cost per record of committing a batch of 256 records durably,
/// with LiteDB (one InsertBulk transaction) and with the append-only journal file (one write + fsync).
/// </summary>
[MemoryDiagnoser]
public class JournalStoreBenchmarks
{
    private const int Batch = 256;

    private readonly List<JournalEntry> _entries = [];
    private readonly List<BsonDocument> _documents = [];
    private string _directory = null!;
    private LocalStore _store = null!;
    private FileJournal _journal = null!;

    [GlobalSetup]
    public void Setup()
    {
        _directory = Path.Combine(Path.GetTempPath(), "aio-journal-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
        _store = LocalStore.Acquire(Path.Combine(_directory, "store.db"));
        _journal = FileJournal.Open(Path.Combine(_directory, "budget.journal"));
        _journal.Recover(0, static _ => { });
        WalletId[] wallets = [WalletId.ForUser("acme", "search", "alice"), WalletId.ForTeam("acme", "search"), WalletId.ForOrganization("acme")];
        for (var i = 0; i < Batch; i++)
        {
            _entries.Add(new JournalEntry
            {
                Kind = JournalEntryKind.Reserve,
                Sequence = i,
                Ticks = DateTime.UtcNow.Ticks,
                ReservationId = i,
                Extra = DateTime.UtcNow.Ticks,
                Amount = 0.05m,
                Currency = "USD",
                Key = "r" + i.ToString(CultureInfo.InvariantCulture),
                Wallets = wallets,
            });
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _journal.Dispose();
        _store.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    public int LiteDbInsertBulk()
    {
        _documents.Clear();
        foreach (var e in _entries)
        {
            _documents.Add(new BsonDocument
            {
                ["kind"] = (int)e.Kind,
                ["ticks"] = e.Ticks,
                ["reservation"] = e.ReservationId,
                ["extra"] = e.Extra,
                ["amount"] = e.Amount,
                ["currency"] = e.Currency,
                ["key"] = e.Key,
                ["wallets"] = new BsonArray(e.Wallets!.Select(w => new BsonValue(w.Value))),
            });
        }

        var count = _store.Database.GetCollection("budget_journal").InsertBulk(_documents, Batch);
        return count;
    }

    [Benchmark(OperationsPerInvoke = Batch, Baseline = true)]
    public int FileJournalAppend()
    {
        _journal.Append(_entries);
        return _entries.Count;
    }
}

/// <summary>Start-up cost with a journal of 100,000 reserve+settle pairs (200,000 records): full replay, and from a snapshot.</summary>
[MemoryDiagnoser]
public class LedgerRecoveryBenchmarks
{
    private const int Pairs = 100_000;

    private string _directory = null!;
    private string _path = null!;

    [GlobalSetup]
    public void Setup()
    {
        _directory = Path.Combine(Path.GetTempPath(), "aio-ledger-bench-" + Guid.NewGuid().ToString("N"));
        _path = Path.Combine(_directory, "budget.journal");
        long next = 0;
        using var ledger = new BudgetLedger(LedgerBenchmarks.LedgerOptions(_path));
        for (var i = 0; i < Pairs; i++)
        {
            LedgerBenchmarks.ReserveSettle(ledger, ref next);
        }
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_directory, recursive: true);

    /// <summary>A start without a snapshot replays every record (per record).</summary>
    [Benchmark(OperationsPerInvoke = 2 * Pairs)]
    public int OpenAndReplay()
    {
        File.Delete(_path + ".snapshot");
        using var ledger = new BudgetLedger(LedgerBenchmarks.LedgerOptions(_path));
        return ledger.GetWallets().Count;
    }

    /// <summary>A start from the snapshot written on the previous clean stop (per open).</summary>
    [Benchmark]
    public int OpenFromSnapshot()
    {
        using var ledger = new BudgetLedger(LedgerBenchmarks.LedgerOptions(_path));
        return ledger.GetWallets().Count;
    }
}
