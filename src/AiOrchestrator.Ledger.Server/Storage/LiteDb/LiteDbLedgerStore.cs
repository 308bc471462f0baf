using System.Globalization;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using AiOrchestrator.Ledger.Server.Storage.Rows;
using LiteDB;
using static AiOrchestrator.Ledger.Server.Storage.LiteDb.LiteDbRows;

namespace AiOrchestrator.Ledger.Server.Storage.LiteDb;

/// <summary>
/// The ledger in one LiteDB file. LiteDB allows one instance per file per process (a second one corrupts it on
/// Linux), so this store owns the only <see cref="LiteDatabase"/> and one writer thread. Units of work queue up;
/// the writer takes up to <c>maxGroupCommit</c> of them, runs each in turn inside one LiteDB transaction (each sees
/// the ones before it), and commits once: group commit. A unit that throws leaves nothing behind (its writes are
/// applied only after it returns); callers are answered after the commit. Reads run on the caller's thread and see
/// committed state.
/// </summary>
internal sealed partial class LiteDbLedgerStore : ILedgerStore
{
    private readonly LiteDatabase _db;
    private readonly Channel<WorkItem> _queue = Channel.CreateUnbounded<WorkItem>(new UnboundedChannelOptions { SingleReader = true });
    private readonly int _maxGroup;
    private readonly ILogger _logger;
    private readonly Thread _writer;
    private long _lastSequence;
    private int _initialized;

    // The writer thread's copies of wallets and open reservations, as of the group being run: every write to those
    // collections goes through Apply on the writer thread, so a copy is exact until a group rolls back (then all are
    // dropped). Bounded: dropped wholesale past MaxCachedRows. Touched by the writer thread only.
    private const int MaxCachedRows = 8192;
    private readonly Dictionary<string, WalletRow> _walletCache = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ReservationRow> _reservationCache = new(StringComparer.Ordinal);

    public LiteDbLedgerStore(string path, int maxGroupCommit, ILogger<LiteDbLedgerStore> logger)
    {
        var directory = Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        // A new file compares strings ordinally (LiteDB's default compares with a culture, ignoring case: slower, and ids
        // differing only in case would collide); a file created before keeps the collation it was created with.
        var isNew = !File.Exists(path) || new FileInfo(path).Length == 0;
        _db = new LiteDatabase(new ConnectionString
        {
            Filename = path,
            Connection = ConnectionType.Direct,
            Collation = isNew ? new Collation(CultureInfo.InvariantCulture.LCID, CompareOptions.Ordinal) : null,
        });
        _maxGroup = maxGroupCommit;
        _logger = logger;
        Path_ = path;
        Organisations = _db.GetCollection("organisations");
        ApiKeys = _db.GetCollection("api_keys");
        Wallets = _db.GetCollection("wallets");
        Transactions = _db.GetCollection("transactions");
        Reservations = _db.GetCollection("reservations");
        Leases = _db.GetCollection("leases");
        Idempotency = _db.GetCollection("idempotency");
        UsageSources = _db.GetCollection("usage_sources");
        UsageRecords = _db.GetCollection("usage_records");
        AuditSources = _db.GetCollection("audit_sources");
        AuditEntries = _db.GetCollection("audit_entries");
        Checkpoints = _db.GetCollection("checkpoints");
        _writer = new Thread(WriterLoop) { IsBackground = true, Name = "LiteDB ledger writer" };
    }

    public string Name => "litedb";

    /// <summary>The file.</summary>
    public string Path_ { get; }

    internal ILiteCollection<BsonDocument> Organisations { get; }

    internal ILiteCollection<BsonDocument> ApiKeys { get; }

    internal ILiteCollection<BsonDocument> Wallets { get; }

    internal ILiteCollection<BsonDocument> Transactions { get; }

    internal ILiteCollection<BsonDocument> Reservations { get; }

    internal ILiteCollection<BsonDocument> Leases { get; }

    internal ILiteCollection<BsonDocument> Idempotency { get; }

    internal ILiteCollection<BsonDocument> UsageSources { get; }

    internal ILiteCollection<BsonDocument> UsageRecords { get; }

    internal ILiteCollection<BsonDocument> AuditSources { get; }

    internal ILiteCollection<BsonDocument> AuditEntries { get; }

    internal ILiteCollection<BsonDocument> Checkpoints { get; }

    public ValueTask InitializeAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _initialized, 1) == 1)
        {
            return ValueTask.CompletedTask;
        }

        ApiKeys.EnsureIndex("hash", unique: true);
        Wallets.EnsureIndex("org");
        Transactions.EnsureIndex("org");
        Reservations.EnsureIndex("due");
        Leases.EnsureIndex("due");
        Idempotency.EnsureIndex("expires");
        UsageRecords.EnsureIndex("org");
        Checkpoints.EnsureIndex("org");
        var last = Transactions.Query().OrderByDescending("_id").Limit(1).FirstOrDefault();
        _lastSequence = last is null ? 0 : last["_id"].AsInt64;
        _writer.Start();
        return ValueTask.CompletedTask;
    }

    public ValueTask<T> ExecuteAsync<T>(Func<ILedgerUnitOfWork, CancellationToken, ValueTask<T>> work, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var item = new WorkItem<T>(work, cancellationToken);
        ObjectDisposedException.ThrowIf(!_queue.Writer.TryWrite(item), this);

        return new ValueTask<T>(item.Completion.Task);
    }

    /// <summary>One writer reads the record in place as cheaply as ahead: the hint is not needed.</summary>
    public ValueTask<T> ExecuteAsync<T>(Func<ILedgerUnitOfWork, CancellationToken, ValueTask<T>> work, IdempotencyHint idempotency, CancellationToken cancellationToken)
        => ExecuteAsync(work, cancellationToken);

    public ValueTask CheckHealthAsync(CancellationToken cancellationToken)
    {
        _ = Organisations.Count();
        return ValueTask.CompletedTask;
    }

    public ValueTask<OrganisationRow?> GetOrganisationAsync(string organisation, CancellationToken cancellationToken)
        => new(Organisations.FindById(organisation) is { } d ? ToOrganisation(d) : null);

    public ValueTask<ApiKeyRow?> FindApiKeyByHashAsync(string secretHash, CancellationToken cancellationToken)
        => new(ApiKeys.FindOne(Expr("hash = @0", secretHash)) is { } d ? ToApiKey(d) : null);

    public ValueTask<IReadOnlyList<ApiKeyRow>> ListApiKeysAsync(CancellationToken cancellationToken)
        => new(ApiKeys.FindAll().Select(ToApiKey).OrderBy(k => k.CreatedAt).ThenBy(k => k.Id, StringComparer.Ordinal).ToList());

    public ValueTask<WalletRow?> GetWalletAsync(string organisation, string wallet, CancellationToken cancellationToken)
        => new(Wallets.FindById(Key(organisation, wallet)) is { } d ? ToWallet(d) : null);

    public ValueTask<IReadOnlyList<WalletRow>> ListWalletsAsync(string organisation, CancellationToken cancellationToken)
        => new(Wallets.Find(Expr("org = @0", organisation)).Select(ToWallet).OrderBy(w => w.Id, StringComparer.Ordinal).ToList());

    public ValueTask<IReadOnlyList<TransactionRow>> ListTransactionsAsync(string organisation, string? wallet, long after, int limit, CancellationToken cancellationToken)
    {
        var query = Transactions.Query().Where(Expr("_id > @0 AND org = @1", after, organisation));
        if (wallet is not null)
        {
            query = query.Where(Expr("wallet = @0", wallet));
        }

        return new(query.OrderBy("_id").Limit(limit).ToEnumerable().Select(ToTransaction).ToList());
    }

    public ValueTask<ReservationRow?> GetReservationAsync(string organisation, string reservationId, CancellationToken cancellationToken)
        => new(Reservations.FindById(Key(organisation, reservationId)) is { } d ? ToReservation(d) : null);

    public ValueTask<LeaseRow?> GetLeaseAsync(string organisation, string leaseId, CancellationToken cancellationToken)
        => new(Leases.FindById(Key(organisation, leaseId)) is { } d ? ToLease(d) : null);

    public ValueTask<AuditSourceRow?> GetAuditSourceAsync(string organisation, string source, CancellationToken cancellationToken)
        => new(AuditSources.FindById(Key(organisation, source)) is { } d ? ToAuditSource(d) : null);

    public ValueTask<IReadOnlyList<CheckpointRow>> ListCheckpointsAsync(string organisation, string? source, CancellationToken cancellationToken)
        => new(Checkpoints.Find(Expr("org = @0", organisation)).Select(ToCheckpoint)
            .Where(c => source is null || c.Source == source)
            .OrderBy(c => c.AnchoredAt).ThenBy(c => c.Source, StringComparer.Ordinal).ThenBy(c => c.Size).ToList());

    public async IAsyncEnumerable<UsageRecordRow> ReadUsageAsync(string organisation, DateTimeOffset from, DateTimeOffset to, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        long start = Ticks(from), end = Ticks(to);
        foreach (var d in UsageRecords.Find(Expr("org = @0", organisation)))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var at = d["at"].AsInt64;
            if (at >= start && at < end)
            {
                yield return ToUsageRecord(d);
            }
        }
    }

    public ValueTask<IReadOnlyList<HoldKey>> ListDueReservationsAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken)
        => new(Due(Reservations, now, limit));

    public ValueTask<IReadOnlyList<HoldKey>> ListDueLeasesAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken)
        => new(Due(Leases, now, limit));

    public ValueTask<int> PurgeIdempotencyAsync(DateTimeOffset now, CancellationToken cancellationToken)
        => ExecuteAsync((_, _) => new ValueTask<int>(Idempotency.DeleteMany(Expr("expires <= @0", Ticks(now)))), cancellationToken);

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        if (_writer.IsAlive)
        {
            await Task.Run(() => _writer.Join(TimeSpan.FromSeconds(30))).ConfigureAwait(false);
        }

        _db.Dispose();
    }

    private static List<HoldKey> Due(ILiteCollection<BsonDocument> collection, DateTimeOffset now, int limit)
        => collection.Query().Where(Expr("due BETWEEN @0 AND @1", 0L, Ticks(now))).Limit(limit).ToEnumerable()
            .Select(d => new HoldKey(d["org"].AsString, d["id"].AsString)).ToList();

    private void WriterLoop()
    {
        var batch = new List<WorkItem>(_maxGroup);
        var reader = _queue.Reader;
        while (true)
        {
            try
            {
                if (!reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
                {
                    return;
                }
            }
            catch (ChannelClosedException)
            {
                return;
            }

            batch.Clear();
            while (batch.Count < _maxGroup && reader.TryRead(out var item))
            {
                batch.Add(item);
            }

            if (!RunGroup(batch) && batch.Count > 1)
            {
                // The group's commit failed as a whole: run each unit alone, so one bad unit fails alone.
                foreach (var item in batch)
                {
                    RunGroup([item]);
                }
            }
        }
    }

    /// <summary>Runs units in one transaction; false when the transaction failed and nobody was answered.</summary>
    private bool RunGroup(List<WorkItem> batch)
    {
        var sequence = _lastSequence;
        var unit = new LiteDbUnitOfWork(this);
        try
        {
            _db.BeginTrans();
            foreach (var item in batch)
            {
                unit.Reset();
                item.Run(unit);
                if (item.Succeeded && unit.Changes is { } changes)
                {
                    sequence = Apply(changes, sequence);
                }
            }

            _db.Commit();
        }
        catch (Exception ex) when (batch.Count > 1)
        {
            LogGroupFailed(_logger, ex, batch.Count);
            _db.Rollback();
            ForgetCachedRows();
            return false;
        }
        catch (Exception ex)
        {
            _db.Rollback();
            ForgetCachedRows();
            batch[0].Fail(ex);
            return true;
        }

        _lastSequence = sequence;
        foreach (var item in batch)
        {
            item.Complete();
        }

        return true;
    }

    private long Apply(LedgerChanges changes, long sequence)
    {
        Upsert(Organisations, changes.Organisations, ToDocument);
        Upsert(ApiKeys, changes.ApiKeys, ToDocument);
        Upsert(Wallets, changes.Wallets, ToDocument);
        Upsert(Reservations, changes.Reservations, ToDocument);
        foreach (var wallet in changes.Wallets ?? [])
        {
            Remember(_walletCache, Key(wallet.Organisation, wallet.Id), wallet);
        }

        foreach (var reservation in changes.Reservations ?? [])
        {
            var key = Key(reservation.Organisation, reservation.Id);
            if (reservation.Status == HoldState.Open)
            {
                Remember(_reservationCache, key, reservation);
            }
            else
            {
                _reservationCache.Remove(key);
            }
        }
        Upsert(Leases, changes.Leases, ToDocument);
        Upsert(UsageSources, changes.UsageSources, ToDocument);
        Upsert(AuditSources, changes.AuditSources, ToDocument);
        Upsert(Checkpoints, changes.Checkpoints, ToDocument);
        if (changes.Transactions is { } transactions)
        {
            var documents = new List<BsonDocument>(transactions.Count);
            foreach (var row in transactions)
            {
                documents.Add(ToDocument(row, ++sequence));
            }

            Transactions.InsertBulk(documents);
        }

        if (changes.UsageRecords is { } records)
        {
            UsageRecords.InsertBulk(records.Select(ToDocument));
        }

        if (changes.AuditEntries is { } entries)
        {
            AuditEntries.InsertBulk(entries.Select(ToDocument));
        }

        if (changes.Idempotency is { } idempotency)
        {
            Idempotency.Upsert(ToDocument(idempotency));
        }

        return sequence;
    }

    /// <summary>A wallet inside a unit (writer thread): the cached copy, else the stored row (then cached).</summary>
    internal WalletRow? ReadWallet(string organisation, string wallet)
    {
        var key = Key(organisation, wallet);
        if (_walletCache.TryGetValue(key, out var row))
        {
            return row;
        }

        row = Wallets.FindById(key) is { } d ? ToWallet(d) : null;
        if (row is not null)
        {
            Remember(_walletCache, key, row);
        }

        return row;
    }

    /// <summary>A reservation inside a unit (writer thread): the cached copy of an open one, else the stored row.</summary>
    internal ReservationRow? ReadReservation(string organisation, string reservationId)
    {
        var key = Key(organisation, reservationId);
        return _reservationCache.TryGetValue(key, out var row)
            ? row
            : Reservations.FindById(key) is { } d ? ToReservation(d) : null;
    }

    private static void Remember<T>(Dictionary<string, T> cache, string key, T row)
    {
        if (cache.Count >= MaxCachedRows && !cache.ContainsKey(key))
        {
            cache.Clear();
        }

        cache[key] = row;
    }

    private void ForgetCachedRows()
    {
        _walletCache.Clear();
        _reservationCache.Clear();
    }

    private static void Upsert<T>(ILiteCollection<BsonDocument> collection, List<T>? rows, Func<T, BsonDocument> map)
    {
        if (rows is null)
        {
            return;
        }

        foreach (var row in rows)
        {
            collection.Upsert(map(row));
        }
    }

    [LoggerMessage(1, LogLevel.Warning, "A group commit of {Count} units failed; running them one by one.")]
    private static partial void LogGroupFailed(ILogger logger, Exception exception, int count);

    private abstract class WorkItem
    {
        public bool Succeeded { get; protected set; }

        public abstract void Run(LiteDbUnitOfWork unit);

        public abstract void Complete();

        public abstract void Fail(Exception exception);
    }

    private sealed class WorkItem<T>(Func<ILedgerUnitOfWork, CancellationToken, ValueTask<T>> work, CancellationToken cancellationToken) : WorkItem
    {
        private T? _result;
        private Exception? _error;

        public TaskCompletionSource<T> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override void Run(LiteDbUnitOfWork unit)
        {
            _error = null;
            Succeeded = false;
            try
            {
                cancellationToken.ThrowIfCancellationRequested();
                var pending = work(unit, cancellationToken);

                // The unit's reads complete synchronously; the work must await nothing else (see ILedgerStore).
                _result = pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
                Succeeded = true;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                _error = ex;
            }
        }

        public override void Complete()
        {
            if (Succeeded)
            {
                Completion.TrySetResult(_result!);
            }
            else if (_error is OperationCanceledException oce)
            {
                Completion.TrySetCanceled(oce.CancellationToken);
            }
            else
            {
                Completion.TrySetException(_error!);
            }
        }

        public override void Fail(Exception exception) => Completion.TrySetException(exception);
    }
}
