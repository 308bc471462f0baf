using AiOrchestrator.Ledger.Server.Storage.Rows;

namespace AiOrchestrator.Ledger.Server.Storage;

/// <summary>
/// The reads and the write of one atomic unit (see <see cref="ILedgerStore"/>). Every read takes its row for update
/// and returns null when the row does not exist; <see cref="WriteAsync"/> is called at most once, at the end.
/// </summary>
internal interface ILedgerUnitOfWork
{
    /// <summary>An organisation.</summary>
    ValueTask<OrganisationRow?> LockOrganisationAsync(string organisation, CancellationToken cancellationToken);

    /// <summary>An API key by id.</summary>
    ValueTask<ApiKeyRow?> LockApiKeyAsync(string keyId, CancellationToken cancellationToken);

    /// <summary>The idempotency record of (<paramref name="keyId"/>, <paramref name="key"/>), expired or not.</summary>
    ValueTask<IdempotencyRow?> LockIdempotencyAsync(string keyId, string key, CancellationToken cancellationToken);

    /// <summary>A usage source's position.</summary>
    ValueTask<UsageSourceRow?> LockUsageSourceAsync(string organisation, string source, CancellationToken cancellationToken);

    /// <summary>Which of <paramref name="recordIds"/> the organisation already holds.</summary>
    ValueTask<IReadOnlySet<string>> FindUsageRecordIdsAsync(string organisation, IReadOnlyCollection<string> recordIds, CancellationToken cancellationToken);

    /// <summary>An audit source's head.</summary>
    ValueTask<AuditSourceRow?> LockAuditSourceAsync(string organisation, string source, CancellationToken cancellationToken);

    /// <summary>The leaf hashes (lowercase hex) of a source's first <paramref name="count"/> audit entries, in order.</summary>
    ValueTask<IReadOnlyList<string>> ReadAuditHashesAsync(string organisation, string source, long count, CancellationToken cancellationToken);

    /// <summary>A reservation.</summary>
    ValueTask<ReservationRow?> LockReservationAsync(string organisation, string reservationId, CancellationToken cancellationToken);

    /// <summary>Leases, locked in ordinal id order; the result is in the order asked, null for a missing one.</summary>
    ValueTask<IReadOnlyList<LeaseRow?>> LockLeasesAsync(string organisation, IReadOnlyList<string> leaseIds, CancellationToken cancellationToken);

    /// <summary>Wallets, locked in ordinal id order; the result is in the order asked, null for a missing one.</summary>
    ValueTask<IReadOnlyList<WalletRow?>> LockWalletsAsync(string organisation, IReadOnlyList<string> walletIds, CancellationToken cancellationToken);

    /// <summary>Writes the unit's changes (upserts, appends); transactions get their sequences in list order.</summary>
    ValueTask WriteAsync(LedgerChanges changes, CancellationToken cancellationToken);
}
