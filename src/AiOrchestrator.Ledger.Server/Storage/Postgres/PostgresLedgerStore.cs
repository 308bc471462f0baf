using System.Data;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using AiOrchestrator.Ledger.Server.Storage.Rows;
using Npgsql;
using static AiOrchestrator.Ledger.Server.Storage.Postgres.PostgresRows;

namespace AiOrchestrator.Ledger.Server.Storage.Postgres;

/// <summary>
/// The ledger in PostgreSQL, for one or many ledger instances on one database. All state lives in the database:
/// every unit of work runs in a READ COMMITTED transaction whose reads lock their rows (<c>FOR UPDATE</c>, in the
/// order <see cref="ILedgerStore"/> sets), so concurrency control is the database's, and an instance keeps nothing
/// in memory that another instance would need to see.
/// </summary>
/// <remarks>
/// <para><b>Group commit.</b> Units queue up; one writer per instance takes up to <c>maxGroupCommit</c> of them and
/// runs them one after another in one transaction, then commits once. The hot rows of a budget (the organisation's
/// wallet, its sequence counter) are then held by one transaction per instance instead of being handed from one
/// waiting connection to the next, and one WAL flush covers the whole group. A unit that throws leaves nothing
/// behind (its writes are sent only after it returns). When the group's transaction fails (a deadlock with another
/// instance, a unique conflict, a lost connection), every unit of the group runs again alone.</para>
/// <para><b>Alone</b> (re-runs, and every unit when <c>maxGroupCommit</c> is 1): one transaction per unit; a serialization
/// failure, deadlock or unique conflict with a concurrent unit runs it again, a bounded number of times.</para>
/// </remarks>
internal sealed partial class PostgresLedgerStore : ILedgerStore
{
    /// <summary>Runs of one unit alone at most (the first and the re-runs).</summary>
    internal const int MaxAttempts = 8;

    private readonly NpgsqlDataSource _dataSource;
    private readonly ILogger _logger;
    private readonly int _maxGroup;
    private readonly Channel<WorkItem> _queue;
    private Thread? _writer;

    private PostgresLedgerStore(NpgsqlDataSource dataSource, int maxGroupCommit, ILogger<PostgresLedgerStore> logger)
    {
        _dataSource = dataSource;
        _maxGroup = maxGroupCommit;
        _logger = logger;
        // Bounded: when the database falls behind, callers wait here instead of piling up memory.
        _queue = Channel.CreateBounded<WorkItem>(new BoundedChannelOptions(Math.Max(1024, maxGroupCommit * 4)) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    }

    public string Name => "postgres";

    /// <summary>
    /// Creates the store for <paramref name="connectionString"/>; a missing or malformed connection string fails here,
    /// at start, with the configuration key to fix. Statements are prepared automatically on each pooled connection.
    /// </summary>
    public static PostgresLedgerStore Create(string? connectionString, int maxGroupCommit, ILogger<PostgresLedgerStore> logger)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxGroupCommit, 1);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                "Ledger:Storage:Provider is 'postgres' but Ledger:Storage:PostgresConnectionString is empty. Set it to a connection string " +
                "such as 'Host=db;Database=ledger;Username=ledger;Password=…' (environment variable Ledger__Storage__PostgresConnectionString).");
        }

        NpgsqlDataSourceBuilder builder;
        try
        {
            builder = new NpgsqlDataSourceBuilder(connectionString);
        }
        catch (ArgumentException e)
        {
            throw new InvalidOperationException("Ledger:Storage:PostgresConnectionString is not a valid PostgreSQL connection string: " + e.Message, e);
        }

        if (string.IsNullOrEmpty(builder.ConnectionStringBuilder.Host))
        {
            throw new InvalidOperationException("Ledger:Storage:PostgresConnectionString names no Host; add Host=<server>.");
        }

        if (builder.ConnectionStringBuilder.MaxAutoPrepare == 0)
        {
            builder.ConnectionStringBuilder.MaxAutoPrepare = 64;
        }

        // The store leaves no session state behind (no SET, no temp tables, no session locks outside the migrations'
        // own connection, which it unlocks), so returning a connection to the pool needs no DISCARD ALL round trip.
        builder.ConnectionStringBuilder.NoResetOnClose = true;
        return new PostgresLedgerStore(builder.Build(), maxGroupCommit, logger);
    }

    public async ValueTask InitializeAsync(CancellationToken cancellationToken)
    {
        try
        {
            await PostgresMigrations.ApplyAsync(_dataSource, _logger, cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException e) when (e is not PostgresException)
        {
            var host = new NpgsqlConnectionStringBuilder(_dataSource.ConnectionString);
            throw new InvalidOperationException(
                $"Could not reach PostgreSQL at {host.Host}:{host.Port}: {e.Message} Check Ledger:Storage:PostgresConnectionString and that the server is up.",
                e);
        }

        if (_maxGroup > 1 && _writer is null)
        {
            _writer = new Thread(WriteLoop) { IsBackground = true, Name = "PostgreSQL ledger writer" };
            _writer.Start();
        }
    }

    public ValueTask<T> ExecuteAsync<T>(Func<ILedgerUnitOfWork, CancellationToken, ValueTask<T>> work, CancellationToken cancellationToken)
        => ExecuteAsync(work, null, cancellationToken);

    public ValueTask<T> ExecuteAsync<T>(Func<ILedgerUnitOfWork, CancellationToken, ValueTask<T>> work, IdempotencyHint idempotency, CancellationToken cancellationToken)
        => ExecuteAsync(work, (IdempotencyHint?)idempotency, cancellationToken);

    private async ValueTask<T> ExecuteAsync<T>(Func<ILedgerUnitOfWork, CancellationToken, ValueTask<T>> work, IdempotencyHint? idempotency, CancellationToken cancellationToken)
    {
        if (_writer is null)
        {
            return await RunAloneAsync(work, cancellationToken).ConfigureAwait(false);
        }

        var item = new WorkItem<T>(work, idempotency, cancellationToken);
        await _queue.Writer.WriteAsync(item, cancellationToken).ConfigureAwait(false);
        return await item.Completion.Task.ConfigureAwait(false);
    }

    private async ValueTask<T> RunAloneAsync<T>(Func<ILedgerUnitOfWork, CancellationToken, ValueTask<T>> work, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken).ConfigureAwait(false);
                await using (transaction.ConfigureAwait(false))
                {
                    try
                    {
                        var result = await work(new PostgresUnitOfWork(connection, grouped: false), cancellationToken).ConfigureAwait(false);
                        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                        return result;
                    }
                    catch (PostgresException e) when (IsConflict(e) && attempt < MaxAttempts)
                    {
                        LogRerun(_logger, e.SqlState, attempt);
                    }
                }
            }

            // Spread the re-runs of units that collided so they do not collide again in step.
            await Task.Delay(Random.Shared.Next(0, 2 << Math.Min(attempt, 5)), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The writer: a thread of its own that runs groups with Npgsql's synchronous calls, so it never queues in the
    /// thread pool behind the requests it serves between two statements of a group.
    /// </summary>
    private void WriteLoop()
    {
        var group = new List<WorkItem>(_maxGroup);
        var reader = _queue.Reader;
        while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            group.Clear();
            while (group.Count < _maxGroup && reader.TryRead(out var item))
            {
                group.Add(item);
            }

            if (RunGroup(group))
            {
                continue;
            }

            // The group's transaction failed as a whole: each unit runs again alone, so one conflict fails no other unit.
            Parallel.ForEachAsync(group, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (item, _) => await item.RunAloneAsync(this).ConfigureAwait(false))
                .GetAwaiter().GetResult();
        }
    }

    /// <summary>Runs the units in one transaction; false when the transaction failed and no unit was answered.</summary>
    private bool RunGroup(List<WorkItem> group)
    {
        try
        {
            using var connection = _dataSource.OpenConnection();
            using var transaction = connection.BeginTransaction(IsolationLevel.ReadCommitted);
            var unit = new PostgresUnitOfWork(connection, grouped: true);
            unit.ReadIdempotencyAhead(group.Select(item => item.Idempotency));
            foreach (var item in group)
            {
                unit.Begin();
                item.Run(unit);
                if (item.Error is NpgsqlException failure)
                {
                    // The transaction is aborted: the whole group goes again, alone.
                    LogGroupFailed(_logger, failure, group.Count);
                    return false;
                }

                if (item.Error is null)
                {
                    unit.Accept();
                }
            }

            unit.FlushAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
            transaction.Commit();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Whatever broke the group (the database, the connection), its units get their own transactions next.
            LogGroupFailed(_logger, e, group.Count);
            return false;
        }

        foreach (var item in group)
        {
            item.Complete();
        }

        return true;
    }

    public async ValueTask CheckHealthAsync(CancellationToken cancellationToken)
    {
        var command = _dataSource.CreateCommand("SELECT count(*) FROM schema_migrations");
        await using var commandScope = command.ConfigureAwait(false);
        await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
    }

    public ValueTask<OrganisationRow?> GetOrganisationAsync(string organisation, CancellationToken cancellationToken)
    {
        var command = _dataSource.CreateCommand("SELECT " + OrganisationColumns + " FROM organisations WHERE id = $1");
        command.Parameters.With(organisation);
        return SingleAsync(command, Organisation, cancellationToken);
    }

    public ValueTask<ApiKeyRow?> FindApiKeyByHashAsync(string secretHash, CancellationToken cancellationToken)
    {
        var command = _dataSource.CreateCommand("SELECT " + ApiKeyColumns + " FROM api_keys WHERE secret_hash = $1");
        command.Parameters.With(secretHash);
        return SingleAsync(command, ApiKey, cancellationToken);
    }

    public ValueTask<IReadOnlyList<ApiKeyRow>> ListApiKeysAsync(CancellationToken cancellationToken) =>
        ListAsync(_dataSource.CreateCommand("SELECT " + ApiKeyColumns + " FROM api_keys ORDER BY created_at, id COLLATE \"C\""), ApiKey, cancellationToken);

    public ValueTask<WalletRow?> GetWalletAsync(string organisation, string wallet, CancellationToken cancellationToken)
    {
        var command = _dataSource.CreateCommand("SELECT " + WalletColumns + " FROM wallets WHERE organisation = $1 AND id = $2");
        command.Parameters.With(organisation).With(wallet);
        return SingleAsync(command, Wallet, cancellationToken);
    }

    public ValueTask<IReadOnlyList<WalletRow>> ListWalletsAsync(string organisation, CancellationToken cancellationToken)
    {
        var command = _dataSource.CreateCommand("SELECT " + WalletColumns + " FROM wallets WHERE organisation = $1 ORDER BY id COLLATE \"C\"");
        command.Parameters.With(organisation);
        return ListAsync(command, Wallet, cancellationToken);
    }

    public ValueTask<IReadOnlyList<TransactionRow>> ListTransactionsAsync(string organisation, string? wallet, long after, int limit, CancellationToken cancellationToken)
    {
        var command = _dataSource.CreateCommand(wallet is null
            ? "SELECT " + TransactionColumns + " FROM transactions WHERE organisation = $1 AND sequence > $2 ORDER BY sequence LIMIT $3"
            : "SELECT " + TransactionColumns + " FROM transactions WHERE organisation = $1 AND sequence > $2 AND wallet = $4 ORDER BY sequence LIMIT $3");
        command.Parameters.With(organisation).With(after).With(limit);
        if (wallet is not null)
        {
            command.Parameters.With(wallet);
        }

        return ListAsync(command, Transaction, cancellationToken);
    }

    public ValueTask<ReservationRow?> GetReservationAsync(string organisation, string reservationId, CancellationToken cancellationToken)
    {
        var command = _dataSource.CreateCommand("SELECT " + ReservationColumns + " FROM reservations WHERE organisation = $1 AND id = $2");
        command.Parameters.With(organisation).With(reservationId);
        return SingleAsync(command, Reservation, cancellationToken);
    }

    public ValueTask<LeaseRow?> GetLeaseAsync(string organisation, string leaseId, CancellationToken cancellationToken)
    {
        var command = _dataSource.CreateCommand("SELECT " + LeaseColumns + " FROM leases WHERE organisation = $1 AND id = $2");
        command.Parameters.With(organisation).With(leaseId);
        return SingleAsync(command, Lease, cancellationToken);
    }

    public ValueTask<AuditSourceRow?> GetAuditSourceAsync(string organisation, string source, CancellationToken cancellationToken)
    {
        var command = _dataSource.CreateCommand("SELECT " + AuditSourceColumns + " FROM audit_sources WHERE organisation = $1 AND source = $2");
        command.Parameters.With(organisation).With(source);
        return SingleAsync(command, AuditSource, cancellationToken);
    }

    public ValueTask<IReadOnlyList<CheckpointRow>> ListCheckpointsAsync(string organisation, string? source, CancellationToken cancellationToken)
    {
        var command = _dataSource.CreateCommand(
            "SELECT " + CheckpointColumns + " FROM checkpoints WHERE organisation = $1 AND ($2::text IS NULL OR source = $2) " +
            "ORDER BY anchored_at, source COLLATE \"C\", size");
        command.Parameters.With(organisation).WithNullable(source);
        return ListAsync(command, Checkpoint, cancellationToken);
    }

    public async IAsyncEnumerable<UsageRecordRow> ReadUsageAsync(
        string organisation, DateTimeOffset from, DateTimeOffset to, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var command = _dataSource.CreateCommand(
            "SELECT " + UsageRecordColumns + " FROM usage_records WHERE organisation = $1 AND at >= $2 AND at < $3");
        await using var commandScope = command.ConfigureAwait(false);
        command.Parameters.With(organisation).With(Ticks(from)).With(Ticks(to));
        var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess, cancellationToken).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return UsageRecord(reader);
        }
    }

    public ValueTask<IReadOnlyList<HoldKey>> ListDueReservationsAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken)
    {
        var command = _dataSource.CreateCommand(
            "SELECT organisation, id FROM reservations WHERE status = 'open' AND expires_at <= $1 ORDER BY expires_at LIMIT $2");
        command.Parameters.With(Ticks(now)).With(limit);
        return ListAsync(command, Hold, cancellationToken);
    }

    public ValueTask<IReadOnlyList<HoldKey>> ListDueLeasesAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken)
    {
        var command = _dataSource.CreateCommand(
            "SELECT organisation, id FROM leases WHERE status = 'open' AND expires_at <= $1 ORDER BY expires_at LIMIT $2");
        command.Parameters.With(Ticks(now)).With(limit);
        return ListAsync(command, Hold, cancellationToken);
    }

    public async ValueTask<int> PurgeIdempotencyAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var command = _dataSource.CreateCommand("DELETE FROM idempotency WHERE expires_at <= $1");
        await using var commandScope = command.ConfigureAwait(false);
        command.Parameters.With(Ticks(now));
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        if (_writer is { IsAlive: true } writer)
        {
            await Task.Run(writer.Join).ConfigureAwait(false);
        }

        await _dataSource.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Conflicts with a concurrent unit that a re-run resolves: serialization failure (40001), deadlock (40P01), and a
    /// unique violation (23505: two units inserted the same idempotency record, usage source or usage record id; the
    /// re-run reads the winner's row and decides again).
    /// </summary>
    internal static bool IsConflict(PostgresException e) =>
        e.SqlState is PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.UniqueViolation;

    private static async ValueTask<T?> SingleAsync<T>(NpgsqlCommand command, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken)
        where T : class
    {
        await using (command.ConfigureAwait(false))
        {
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var readerScope = reader.ConfigureAwait(false);
            return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? read(reader) : null;
        }
    }

    private static async ValueTask<IReadOnlyList<T>> ListAsync<T>(NpgsqlCommand command, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken)
    {
        await using (command.ConfigureAwait(false))
        {
            var rows = new List<T>();
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var readerScope = reader.ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                rows.Add(read(reader));
            }

            return rows;
        }
    }

    [LoggerMessage(EventId = 2103, Level = LogLevel.Warning, Message = "A PostgreSQL group commit of {Count} units failed; running them one by one")]
    private static partial void LogGroupFailed(ILogger logger, Exception exception, int count);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Debug, Message = "A PostgreSQL unit of work met a concurrent one ({SqlState}) on attempt {Attempt}; running it again")]
    private static partial void LogRerun(ILogger logger, string sqlState, int attempt);

    private abstract class WorkItem
    {
        public Exception? Error { get; protected set; }

        /// <summary>The idempotency record the work reads first, when known.</summary>
        public abstract IdempotencyHint? Idempotency { get; }

        /// <summary>Runs the work on the writer thread; its store calls complete synchronously (see <see cref="PostgresUnitOfWork"/>).</summary>
        public abstract void Run(PostgresUnitOfWork unit);

        public abstract void Complete();

        public abstract Task RunAloneAsync(PostgresLedgerStore store);
    }

    private sealed class WorkItem<T>(Func<ILedgerUnitOfWork, CancellationToken, ValueTask<T>> work, IdempotencyHint? idempotency, CancellationToken cancellationToken)
        : WorkItem
    {
        private T? _result;

        public override IdempotencyHint? Idempotency => idempotency;

        public TaskCompletionSource<T> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override void Run(PostgresUnitOfWork unit)
        {
            Error = null;
            try
            {
                cancellationToken.ThrowIfCancellationRequested();
                var pending = work(unit, cancellationToken);
                _result = pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Error = ex;
            }
        }

        public override void Complete()
        {
            if (Error is null)
            {
                Completion.TrySetResult(_result!);
            }
            else if (Error is OperationCanceledException canceled)
            {
                Completion.TrySetCanceled(canceled.CancellationToken);
            }
            else
            {
                Completion.TrySetException(Error);
            }
        }

        public override async Task RunAloneAsync(PostgresLedgerStore store)
        {
            try
            {
                Completion.TrySetResult(await store.RunAloneAsync(work, cancellationToken).ConfigureAwait(false));
            }
            catch (OperationCanceledException canceled)
            {
                Completion.TrySetCanceled(canceled.CancellationToken);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Completion.TrySetException(ex);
            }
        }
    }
}
