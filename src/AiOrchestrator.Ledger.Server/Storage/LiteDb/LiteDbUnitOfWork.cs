using AiOrchestrator.Ledger.Server.Storage.Rows;
using LiteDB;
using static AiOrchestrator.Ledger.Server.Storage.LiteDb.LiteDbRows;

namespace AiOrchestrator.Ledger.Server.Storage.LiteDb;

/// <summary>
/// One unit on the LiteDB writer thread. Reads are exclusive already (one writer); writes are held until the unit's
/// work returns, then applied inside the group's transaction.
/// </summary>
internal sealed class LiteDbUnitOfWork(LiteDbLedgerStore store) : ILedgerUnitOfWork
{
    public LedgerChanges? Changes { get; private set; }

    public void Reset() => Changes = null;

    public ValueTask<OrganisationRow?> LockOrganisationAsync(string organisation, CancellationToken cancellationToken)
        => new(store.Organisations.FindById(organisation) is { } d ? ToOrganisation(d) : null);

    public ValueTask<ApiKeyRow?> LockApiKeyAsync(string keyId, CancellationToken cancellationToken)
        => new(store.ApiKeys.FindById(keyId) is { } d ? ToApiKey(d) : null);

    public ValueTask<IdempotencyRow?> LockIdempotencyAsync(string keyId, string key, CancellationToken cancellationToken)
        => new(store.Idempotency.FindById(Key(keyId, key)) is { } d ? ToIdempotency(d) : null);

    public ValueTask<UsageSourceRow?> LockUsageSourceAsync(string organisation, string source, CancellationToken cancellationToken)
        => new(store.UsageSources.FindById(Key(organisation, source)) is { } d ? ToUsageSource(d) : null);

    public ValueTask<IReadOnlySet<string>> FindUsageRecordIdsAsync(string organisation, IReadOnlyCollection<string> recordIds, CancellationToken cancellationToken)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        foreach (var id in recordIds)
        {
            if (store.UsageRecords.Exists(Expr("_id = @0", Key(organisation, id))))
            {
                found.Add(id);
            }
        }

        return new(found);
    }

    public ValueTask<AuditSourceRow?> LockAuditSourceAsync(string organisation, string source, CancellationToken cancellationToken)
        => new(store.AuditSources.FindById(Key(organisation, source)) is { } d ? ToAuditSource(d) : null);

    public ValueTask<IReadOnlyList<string>> ReadAuditHashesAsync(string organisation, string source, long count, CancellationToken cancellationToken)
    {
        var hashes = store.AuditEntries.Query()
            .Where(Expr("_id BETWEEN @0 AND @1", Key(organisation, source, 0), Key(organisation, source, Math.Max(0, count - 1))))
            .OrderBy("_id").Limit((int)Math.Min(count, int.MaxValue)).ToEnumerable()
            .Select(d => d["hash"].AsString).ToList();
        return new(count == 0 ? [] : hashes);
    }

    public ValueTask<ReservationRow?> LockReservationAsync(string organisation, string reservationId, CancellationToken cancellationToken)
        => new(store.ReadReservation(organisation, reservationId));

    public ValueTask<IReadOnlyList<LeaseRow?>> LockLeasesAsync(string organisation, IReadOnlyList<string> leaseIds, CancellationToken cancellationToken)
    {
        var rows = new LeaseRow?[leaseIds.Count];
        for (var i = 0; i < rows.Length; i++)
        {
            rows[i] = store.Leases.FindById(Key(organisation, leaseIds[i])) is { } d ? ToLease(d) : null;
        }

        return new(rows);
    }

    public ValueTask<IReadOnlyList<WalletRow?>> LockWalletsAsync(string organisation, IReadOnlyList<string> walletIds, CancellationToken cancellationToken)
    {
        var rows = new WalletRow?[walletIds.Count];
        for (var i = 0; i < rows.Length; i++)
        {
            rows[i] = store.ReadWallet(organisation, walletIds[i]);
        }

        return new(rows);
    }

    public ValueTask WriteAsync(LedgerChanges changes, CancellationToken cancellationToken)
    {
        if (Changes is not null)
        {
            throw new InvalidOperationException("A unit of work writes once, at its end.");
        }

        Changes = changes;
        return ValueTask.CompletedTask;
    }
}
