using AiOrchestrator.Ledger.Server.Storage.Rows;
using Npgsql;
using static AiOrchestrator.Ledger.Server.Storage.Postgres.PostgresRows;

namespace AiOrchestrator.Ledger.Server.Storage.Postgres;

/// <summary>
/// Units of work on one connection inside one READ COMMITTED transaction: every read is <c>SELECT … FOR UPDATE</c>
/// (row locks held to commit, so ledger instances serialise on the rows they share), and a unit's writes go to the
/// server as one batch. Wallets and leases are locked in ordinal id order (<c>COLLATE "C"</c>) whatever the
/// database's collation. Transaction sequences come from the organisation's counter row, locked last in the write.
/// </summary>
/// <remarks>
/// In a group (<see cref="PostgresLedgerStore"/>: several units, one transaction, one commit) a unit's writes are
/// held until it returns (a unit that throws leaves nothing behind) and then travel in front of the next statement
/// on the connection, the next unit's first read or the commit, so they cost no round trip of their own. Later
/// units of the group see them, as they would after a commit.
/// </remarks>
internal sealed class PostgresUnitOfWork(NpgsqlConnection connection, bool grouped) : ILedgerUnitOfWork
{
    private readonly List<NpgsqlBatchCommand> _pending = [];
    private readonly Dictionary<string, WalletRow> _lockedWallets = new(StringComparer.Ordinal);
    private readonly Dictionary<IdempotencyHint, IdempotencyRow?> _idempotencyAhead = [];
    private LedgerChanges? _changes;
    private bool _written;

    /// <summary>Starts the next unit of a group.</summary>
    public void Begin()
    {
        _changes = null;
        _written = false;
        _lockedWallets.Clear();
    }

    /// <summary>The unit returned: its writes go out in front of the next statement.</summary>
    public void Accept()
    {
        if (_changes is { IsEmpty: false } changes)
        {
            AddWrites(changes, _pending);
        }

        _changes = null;
    }

    /// <summary>Sends the writes still held (before the group commits).</summary>
    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        if (_pending.Count == 0)
        {
            return;
        }

        using var batch = new NpgsqlBatch(connection);
        TakePending(batch);
        if (grouped)
        {
            batch.ExecuteNonQuery();
        }
        else
        {
            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public ValueTask<OrganisationRow?> LockOrganisationAsync(string organisation, CancellationToken cancellationToken) =>
        LockKeyedAsync("organisations", "SELECT " + OrganisationColumns + " FROM organisations WHERE id = $1 FOR UPDATE", organisation, null, Organisation, cancellationToken);

    public ValueTask<ApiKeyRow?> LockApiKeyAsync(string keyId, CancellationToken cancellationToken)
    {
        var command = new NpgsqlBatchCommand("SELECT " + ApiKeyColumns + " FROM api_keys WHERE id = $1 FOR UPDATE");
        command.Parameters.With(keyId);
        return SingleAsync(command, ApiKey, cancellationToken);
    }

    /// <summary>
    /// Locks and reads the idempotency records of a whole group in one round trip, before its first unit: the same
    /// advisory locks as <see cref="LockIdempotencyAsync"/> (taken in ordinal key order, so two instances' groups
    /// never wait on each other in a cycle), then the rows <c>FOR UPDATE</c>. A unit asking for one of these records
    /// gets the row read here (or "none"); the idempotency lock comes first in the lock order either way.
    /// </summary>
    public void ReadIdempotencyAhead(IEnumerable<IdempotencyHint?> hints)
    {
        _idempotencyAhead.Clear();
        var keys = hints.OfType<IdempotencyHint>().Distinct().OrderBy(h => AdvisoryKey("idempotency", h.KeyId, h.Key), StringComparer.Ordinal).ToArray();
        if (keys.Length == 0)
        {
            return;
        }

        using var batch = Batch();
        foreach (var hint in keys)
        {
            var advisory = new NpgsqlBatchCommand("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))");
            advisory.Parameters.With(AdvisoryKey("idempotency", hint.KeyId, hint.Key));
            batch.BatchCommands.Add(advisory);
        }

        var select = new NpgsqlBatchCommand("SELECT " + IdempotencyColumns + " FROM idempotency WHERE (key_id, key) IN (SELECT * FROM unnest($1::text[], $2::text[])) FOR UPDATE");
        select.Parameters.With(keys.Select(h => h.KeyId).ToArray()).With(keys.Select(h => h.Key).ToArray());
        batch.BatchCommands.Add(select);
        foreach (var hint in keys)
        {
            _idempotencyAhead[hint] = null;
        }

        using var reader = batch.ExecuteReader();
        for (var i = 0; i < keys.Length; i++)
        {
            reader.NextResult();
        }

        while (reader.Read())
        {
            var row = Idempotency(reader);
            _idempotencyAhead[new IdempotencyHint(row.KeyId, row.Key)] = row;
        }
    }

    public ValueTask<IdempotencyRow?> LockIdempotencyAsync(string keyId, string key, CancellationToken cancellationToken) =>
        _idempotencyAhead.Remove(new IdempotencyHint(keyId, key), out var ahead) ? new(ahead) : LockKeyedAsync("idempotency", "SELECT " + IdempotencyColumns + " FROM idempotency WHERE key_id = $1 AND key = $2 FOR UPDATE", keyId, key, Idempotency, cancellationToken);

    public ValueTask<UsageSourceRow?> LockUsageSourceAsync(string organisation, string source, CancellationToken cancellationToken) =>
        LockKeyedAsync("usage_sources", "SELECT " + UsageSourceColumns + " FROM usage_sources WHERE organisation = $1 AND source = $2 FOR UPDATE", organisation, source, UsageSource, cancellationToken);

    public async ValueTask<IReadOnlySet<string>> FindUsageRecordIdsAsync(string organisation, IReadOnlyCollection<string> recordIds, CancellationToken cancellationToken)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        if (recordIds.Count == 0)
        {
            return found;
        }

        var command = new NpgsqlBatchCommand("SELECT id FROM usage_records WHERE organisation = $1 AND id = ANY($2)");
        command.Parameters.With(organisation).With(recordIds.ToArray());
        var batch = Batch(command);
        await using var batchScope = batch.ConfigureAwait(false);
        var reader = await OpenAsync(batch, cancellationToken).ConfigureAwait(false);
        await using var readerScope = new ReaderScope(reader, grouped).ConfigureAwait(false);
        while (await ReadAsync(reader, cancellationToken).ConfigureAwait(false))
        {
            found.Add(reader.GetString(0));
        }

        return found;
    }

    public ValueTask<AuditSourceRow?> LockAuditSourceAsync(string organisation, string source, CancellationToken cancellationToken) =>
        LockKeyedAsync("audit_sources", "SELECT " + AuditSourceColumns + " FROM audit_sources WHERE organisation = $1 AND source = $2 FOR UPDATE", organisation, source, AuditSource, cancellationToken);

    public async ValueTask<IReadOnlyList<string>> ReadAuditHashesAsync(string organisation, string source, long count, CancellationToken cancellationToken)
    {
        var hashes = new List<string>((int)Math.Min(count, 100_000));
        var command = new NpgsqlBatchCommand("SELECT hash FROM audit_entries WHERE organisation = $1 AND source = $2 AND index < $3 ORDER BY index");
        command.Parameters.With(organisation).With(source).With(count);
        var batch = Batch(command);
        await using var batchScope = batch.ConfigureAwait(false);
        var reader = await OpenAsync(batch, cancellationToken).ConfigureAwait(false);
        await using var readerScope = new ReaderScope(reader, grouped).ConfigureAwait(false);
        while (await ReadAsync(reader, cancellationToken).ConfigureAwait(false))
        {
            hashes.Add(reader.GetString(0));
        }

        return hashes;
    }

    /// <summary>
    /// Locks the reservation and, in the same round trip and in the documented order (reservation, then wallets by
    /// id), the wallets it holds on: a commit or release asks for them next, and gets them without another round trip.
    /// </summary>
    public async ValueTask<ReservationRow?> LockReservationAsync(string organisation, string reservationId, CancellationToken cancellationToken)
    {
        var reservation = new NpgsqlBatchCommand("SELECT " + ReservationColumns + " FROM reservations WHERE organisation = $1 AND id = $2 FOR UPDATE");
        reservation.Parameters.With(organisation).With(reservationId);
        var wallets = new NpgsqlBatchCommand(
            "SELECT " + WalletColumns + " FROM wallets WHERE organisation = $1 " +
            "AND id IN (SELECT unnest(r.wallets) FROM reservations r WHERE r.organisation = $1 AND r.id = $2) ORDER BY id COLLATE \"C\" FOR UPDATE");
        wallets.Parameters.With(organisation).With(reservationId);
        var batch = Batch(reservation, wallets);
        await using var batchScope = batch.ConfigureAwait(false);
        var reader = await OpenAsync(batch, cancellationToken).ConfigureAwait(false);
        await using var readerScope = new ReaderScope(reader, grouped).ConfigureAwait(false);
        var row = await ReadAsync(reader, cancellationToken).ConfigureAwait(false) ? Reservation(reader) : null;
        await NextAsync(reader, cancellationToken).ConfigureAwait(false);
        while (await ReadAsync(reader, cancellationToken).ConfigureAwait(false))
        {
            var wallet = Wallet(reader);
            _lockedWallets[wallet.Id] = wallet;
        }

        return row;
    }

    public ValueTask<IReadOnlyList<LeaseRow?>> LockLeasesAsync(string organisation, IReadOnlyList<string> leaseIds, CancellationToken cancellationToken) =>
        LockManyAsync(
            "SELECT " + LeaseColumns + " FROM leases WHERE organisation = $1 AND id = ANY($2) ORDER BY id COLLATE \"C\" FOR UPDATE",
            organisation,
            leaseIds,
            Lease,
            static row => row.Id,
            cancellationToken);

    public ValueTask<IReadOnlyList<WalletRow?>> LockWalletsAsync(string organisation, IReadOnlyList<string> walletIds, CancellationToken cancellationToken)
    {
        // Wallets this unit already locked (with its reservation) are answered as read then: the lock is held, and a
        // unit's reads see the state before its own writes.
        if (_lockedWallets.Count > 0 && AllLocked(organisation, walletIds))
        {
            var rows = new WalletRow?[walletIds.Count];
            for (var i = 0; i < rows.Length; i++)
            {
                rows[i] = _lockedWallets[walletIds[i]];
            }

            return new ValueTask<IReadOnlyList<WalletRow?>>(rows);
        }

        return LockManyAsync(
            "SELECT " + WalletColumns + " FROM wallets WHERE organisation = $1 AND id = ANY($2) ORDER BY id COLLATE \"C\" FOR UPDATE",
            organisation,
            walletIds,
            Wallet,
            static row => row.Id,
            cancellationToken);
    }

    private bool AllLocked(string organisation, IReadOnlyList<string> walletIds)
    {
        foreach (var id in walletIds)
        {
            if (!_lockedWallets.TryGetValue(id, out var row) || !string.Equals(row.Organisation, organisation, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    public async ValueTask WriteAsync(LedgerChanges changes, CancellationToken cancellationToken)
    {
        if (_written)
        {
            throw new InvalidOperationException("A unit of work writes once, at its end.");
        }

        _written = true;
        if (grouped)
        {
            _changes = changes;
            return;
        }

        if (changes.IsEmpty)
        {
            return;
        }

        var batch = new NpgsqlBatch(connection);
        await using var batchScope = batch.ConfigureAwait(false);
        AddWrites(changes, batch.BatchCommands);
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static void AddWrites(LedgerChanges changes, IList<NpgsqlBatchCommand> commands)
    {
        // Statement order follows the lock order: idempotency, sources, holds, wallets; the sequence counters last.
        foreach (var row in changes.Organisations ?? [])
        {
            commands.Add(PostgresWrites.Upsert(row));
        }

        foreach (var row in changes.ApiKeys ?? [])
        {
            commands.Add(PostgresWrites.Upsert(row));
        }

        if (changes.Idempotency is { } idempotency)
        {
            commands.Add(PostgresWrites.Upsert(idempotency));
        }

        foreach (var row in changes.UsageSources ?? [])
        {
            commands.Add(PostgresWrites.Upsert(row));
        }

        foreach (var row in changes.AuditSources ?? [])
        {
            commands.Add(PostgresWrites.Upsert(row));
        }

        foreach (var row in changes.Reservations ?? [])
        {
            commands.Add(PostgresWrites.Upsert(row));
        }

        foreach (var row in changes.Leases ?? [])
        {
            commands.Add(PostgresWrites.Upsert(row));
        }

        foreach (var row in changes.Wallets ?? [])
        {
            commands.Add(PostgresWrites.Upsert(row));
        }

        if (changes.UsageRecords is { Count: > 0 } usage)
        {
            commands.Add(PostgresWrites.Insert(usage));
        }

        if (changes.AuditEntries is { Count: > 0 } entries)
        {
            commands.Add(PostgresWrites.Insert(entries));
        }

        foreach (var row in changes.Checkpoints ?? [])
        {
            commands.Add(PostgresWrites.Upsert(row));
        }

        if (changes.Transactions is { Count: > 0 } transactions)
        {
            foreach (var command in PostgresWrites.Append(transactions))
            {
                commands.Add(command);
            }
        }
    }

    /// <summary>A batch of the held writes (if any) followed by <paramref name="commands"/>; rows come only from the latter.</summary>
    private NpgsqlBatch Batch(params NpgsqlBatchCommand[] commands)
    {
        var batch = new NpgsqlBatch(connection);
        TakePending(batch);
        foreach (var command in commands)
        {
            batch.BatchCommands.Add(command);
        }

        return batch;
    }

    private void TakePending(NpgsqlBatch batch)
    {
        foreach (var command in _pending)
        {
            batch.BatchCommands.Add(command);
        }

        _pending.Clear();
    }

    /// <summary>
    /// In a group the unit runs on the store's writer thread with Npgsql's synchronous calls: the unit's awaits then
    /// complete at once, and the writer never waits in the thread pool's queue behind the HTTP requests between two
    /// statements (which is most of a statement's time on a busy machine). A caller's cancellation does not cancel a
    /// statement there: that would abort the transaction of every unit in the group.
    /// </summary>
    private ValueTask<NpgsqlDataReader> OpenAsync(NpgsqlBatch batch, CancellationToken cancellationToken) =>
        grouped ? new(batch.ExecuteReader()) : new(batch.ExecuteReaderAsync(cancellationToken));

    private ValueTask<bool> ReadAsync(NpgsqlDataReader reader, CancellationToken cancellationToken) =>
        grouped ? new(reader.Read()) : new(reader.ReadAsync(cancellationToken));

    private ValueTask<bool> NextAsync(NpgsqlDataReader reader, CancellationToken cancellationToken) =>
        grouped ? new(reader.NextResult()) : new(reader.NextResultAsync(cancellationToken));

    /// <summary>
    /// Locks a row that may not exist yet. <c>FOR UPDATE</c> locks nothing when there is no row, so two units could
    /// both see "missing" and both create it (a second first response to one idempotency key, two first batches of
    /// one source); a transaction-scoped advisory lock on a hash of the key, taken first in the same round trip,
    /// makes the second unit wait for the first and then read its row.
    /// </summary>
    private async ValueTask<T?> LockKeyedAsync<T>(string table, string sql, string key1, string? key2, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken)
        where T : class
    {
        var advisory = new NpgsqlBatchCommand("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))");
        advisory.Parameters.With(AdvisoryKey(table, key1, key2));
        var select = new NpgsqlBatchCommand(sql);
        select.Parameters.With(key1);
        if (key2 is not null)
        {
            select.Parameters.With(key2);
        }

        var batch = Batch(advisory, select);
        await using var batchScope = batch.ConfigureAwait(false);
        var reader = await OpenAsync(batch, cancellationToken).ConfigureAwait(false);
        await using var readerScope = new ReaderScope(reader, grouped).ConfigureAwait(false);
        await NextAsync(reader, cancellationToken).ConfigureAwait(false);
        return await ReadAsync(reader, cancellationToken).ConfigureAwait(false) ? read(reader) : null;
    }

    /// <summary>The text whose hash names a row's advisory lock (one place, so every path takes the same lock).</summary>
    private static string AdvisoryKey(string table, string key1, string? key2)
        => key2 is null ? table + "\u001f" + key1 : table + "\u001f" + key1 + "\u001f" + key2;

    private async ValueTask<T?> SingleAsync<T>(NpgsqlBatchCommand command, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken)
        where T : class
    {
        var batch = Batch(command);
        await using var batchScope = batch.ConfigureAwait(false);
        var reader = await OpenAsync(batch, cancellationToken).ConfigureAwait(false);
        await using var readerScope = new ReaderScope(reader, grouped).ConfigureAwait(false);
        return await ReadAsync(reader, cancellationToken).ConfigureAwait(false) ? read(reader) : null;
    }

    private async ValueTask<IReadOnlyList<T?>> LockManyAsync<T>(
        string sql, string organisation, IReadOnlyList<string> ids, Func<NpgsqlDataReader, T> read, Func<T, string> idOf, CancellationToken cancellationToken)
        where T : class
    {
        var result = new T?[ids.Count];
        if (ids.Count == 0)
        {
            return result;
        }

        var idArray = new string[ids.Count];
        for (var i = 0; i < idArray.Length; i++)
        {
            idArray[i] = ids[i];
        }

        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.With(organisation).With(idArray);
        var batch = Batch(command);
        await using var batchScope = batch.ConfigureAwait(false);
        var reader = await OpenAsync(batch, cancellationToken).ConfigureAwait(false);
        await using var readerScope = new ReaderScope(reader, grouped).ConfigureAwait(false);
        while (await ReadAsync(reader, cancellationToken).ConfigureAwait(false))
        {
            var row = read(reader);
            var id = idOf(row);
            for (var i = 0; i < idArray.Length; i++)
            {
                if (string.Equals(idArray[i], id, StringComparison.Ordinal))
                {
                    result[i] = row;
                }
            }
        }

        return result;
    }

    /// <summary>Closes a reader the way it was read: synchronously in a group, asynchronously alone.</summary>
    private readonly struct ReaderScope(NpgsqlDataReader reader, bool synchronous) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            if (!synchronous)
            {
                return reader.DisposeAsync();
            }

            reader.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
