namespace AiOrchestrator.Ledger.Server.Storage;

/// <summary>
/// Where the ledger keeps its rows. The store knows nothing of the ledger's rules: those live in
/// <see cref="Domain.LedgerEngine"/>, which one store transaction at a time loads rows, decides and returns the rows
/// to write. Two implementations: LiteDB (one file, the default) and PostgreSQL (several ledger instances).
/// </summary>
/// <remarks>
/// <para><b>Units of work.</b> Every mutation runs inside <see cref="ExecuteAsync{T}(Func{ILedgerUnitOfWork, CancellationToken, ValueTask{T}}, CancellationToken)"/>: the work reads the rows it
/// needs through <see cref="ILedgerUnitOfWork"/> (each read takes the row "for update": PostgreSQL
/// <c>SELECT ... FOR UPDATE</c>; LiteDB runs one writer at a time so every read is already exclusive), then hands
/// the rows to write to <see cref="ILedgerUnitOfWork.WriteAsync"/>, once, at its end. The unit commits when the work
/// returns and rolls back when it throws. A unit's reads see the state before its own writes.</para>
/// <para><b>Lock order</b> (so two units never deadlock on PostgreSQL): idempotency record, then usage or audit
/// source, then reservations and leases (ordinal id order), then wallets (ordinal id order;
/// <see cref="ILedgerUnitOfWork.LockWalletsAsync"/> sorts itself).</para>
/// <para><b>Re-runs.</b> A store may run the same work again after a serialization failure, a deadlock, or a unique
/// conflict on an idempotency record or usage record id written by a concurrent unit (PostgreSQL): work has no
/// side effects outside its unit and decides only from what it reads.</para>
/// <para><b>Rows</b> are plain records (<c>Storage/Rows</c>): string ids, <see cref="decimal"/> amounts (exact, never
/// rounded by the store), <see cref="DateTimeOffset"/> in UTC (kept to the tick). Transactions get their
/// <see cref="Rows.TransactionRow.Sequence"/> from the store when written: strictly increasing in commit order, so a
/// history page read <c>after</c> a sequence never misses a row committed later.</para>
/// <para><b>Reads</b> outside a unit (the methods below) see committed state and take no locks.</para>
/// </remarks>
internal interface ILedgerStore : IAsyncDisposable
{
    /// <summary>A short name for logs and health: <c>litedb</c> or <c>postgres</c>.</summary>
    string Name { get; }

    /// <summary>Creates the schema (collections, tables, indexes) when missing. Called once at start.</summary>
    ValueTask InitializeAsync(CancellationToken cancellationToken);

    /// <summary>Runs <paramref name="work"/> as one atomic unit and returns what it returned.</summary>
    ValueTask<T> ExecuteAsync<T>(Func<ILedgerUnitOfWork, CancellationToken, ValueTask<T>> work, CancellationToken cancellationToken);

    /// <summary>
    /// Runs <paramref name="work"/> as <see cref="ExecuteAsync{T}(Func{ILedgerUnitOfWork, CancellationToken, ValueTask{T}}, CancellationToken)"/>
    /// does, for work whose first read is the idempotency record <paramref name="idempotency"/>: a store may lock and
    /// read that record ahead, together with other units' (PostgreSQL does, for a group, in one round trip).
    /// </summary>
    ValueTask<T> ExecuteAsync<T>(Func<ILedgerUnitOfWork, CancellationToken, ValueTask<T>> work, IdempotencyHint idempotency, CancellationToken cancellationToken);

    /// <summary>Throws when the store cannot be read (health check).</summary>
    ValueTask CheckHealthAsync(CancellationToken cancellationToken);

    /// <summary>An organisation.</summary>
    ValueTask<Rows.OrganisationRow?> GetOrganisationAsync(string organisation, CancellationToken cancellationToken);

    /// <summary>An API key by the SHA-256 hash of its secret (lowercase hex).</summary>
    ValueTask<Rows.ApiKeyRow?> FindApiKeyByHashAsync(string secretHash, CancellationToken cancellationToken);

    /// <summary>Every API key, oldest first.</summary>
    ValueTask<IReadOnlyList<Rows.ApiKeyRow>> ListApiKeysAsync(CancellationToken cancellationToken);

    /// <summary>A wallet as stored (its period counters may be of an earlier period; the engine rolls them).</summary>
    ValueTask<Rows.WalletRow?> GetWalletAsync(string organisation, string wallet, CancellationToken cancellationToken);

    /// <summary>The organisation's wallets in ordinal id order.</summary>
    ValueTask<IReadOnlyList<Rows.WalletRow>> ListWalletsAsync(string organisation, CancellationToken cancellationToken);

    /// <summary>
    /// Up to <paramref name="limit"/> transactions of the organisation with a sequence above <paramref name="after"/>,
    /// oldest first, of one wallet when <paramref name="wallet"/> is given.
    /// </summary>
    ValueTask<IReadOnlyList<Rows.TransactionRow>> ListTransactionsAsync(string organisation, string? wallet, long after, int limit, CancellationToken cancellationToken);

    /// <summary>A reservation.</summary>
    ValueTask<Rows.ReservationRow?> GetReservationAsync(string organisation, string reservationId, CancellationToken cancellationToken);

    /// <summary>A lease.</summary>
    ValueTask<Rows.LeaseRow?> GetLeaseAsync(string organisation, string leaseId, CancellationToken cancellationToken);

    /// <summary>A source's audit chain head.</summary>
    ValueTask<Rows.AuditSourceRow?> GetAuditSourceAsync(string organisation, string source, CancellationToken cancellationToken);

    /// <summary>The organisation's checkpoints (of one source when given), oldest first.</summary>
    ValueTask<IReadOnlyList<Rows.CheckpointRow>> ListCheckpointsAsync(string organisation, string? source, CancellationToken cancellationToken);

    /// <summary>The organisation's usage records with <c>from &lt;= At &lt; to</c>, in any order.</summary>
    IAsyncEnumerable<Rows.UsageRecordRow> ReadUsageAsync(string organisation, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="limit"/> pending reservations whose expiry is at or before <paramref name="now"/>.</summary>
    ValueTask<IReadOnlyList<Rows.HoldKey>> ListDueReservationsAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="limit"/> active leases whose expiry is at or before <paramref name="now"/>.</summary>
    ValueTask<IReadOnlyList<Rows.HoldKey>> ListDueLeasesAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken);

    /// <summary>Deletes idempotency records that expired at or before <paramref name="now"/>; returns how many.</summary>
    ValueTask<int> PurgeIdempotencyAsync(DateTimeOffset now, CancellationToken cancellationToken);
}

/// <summary>The idempotency record a unit of work reads first: (API key id, Idempotency-Key).</summary>
internal readonly record struct IdempotencyHint(string KeyId, string Key);
