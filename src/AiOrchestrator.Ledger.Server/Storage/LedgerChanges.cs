using AiOrchestrator.Ledger.Server.Storage.Rows;

namespace AiOrchestrator.Ledger.Server.Storage;

/// <summary>
/// The rows one unit of work writes. Rows with an id replace the stored row of that id (upsert); transactions,
/// usage records, audit entries and checkpoints are appended. Lists are created on first use.
/// </summary>
internal sealed class LedgerChanges
{
    public List<OrganisationRow>? Organisations { get; private set; }

    public List<ApiKeyRow>? ApiKeys { get; private set; }

    public List<WalletRow>? Wallets { get; private set; }

    public List<ReservationRow>? Reservations { get; private set; }

    public List<LeaseRow>? Leases { get; private set; }

    /// <summary>Appended; <see cref="TransactionRow.Sequence"/> is ignored and assigned by the store.</summary>
    public List<TransactionRow>? Transactions { get; private set; }

    public List<UsageSourceRow>? UsageSources { get; private set; }

    /// <summary>Inserted; their ids are new to the organisation (the unit checked).</summary>
    public List<UsageRecordRow>? UsageRecords { get; private set; }

    public List<AuditSourceRow>? AuditSources { get; private set; }

    /// <summary>Inserted.</summary>
    public List<AuditEntryRow>? AuditEntries { get; private set; }

    /// <summary>Inserted (a checkpoint of the same source and size replaces the earlier one).</summary>
    public List<CheckpointRow>? Checkpoints { get; private set; }

    /// <summary>Upserted: the first response of an idempotent request.</summary>
    public IdempotencyRow? Idempotency { get; set; }

    /// <summary>True when there is nothing to write.</summary>
    public bool IsEmpty => Organisations is null && ApiKeys is null && Wallets is null && Reservations is null && Leases is null
        && Transactions is null && UsageSources is null && UsageRecords is null && AuditSources is null && AuditEntries is null
        && Checkpoints is null && Idempotency is null;

    public void Put(OrganisationRow row) => (Organisations ??= []).Add(row);

    public void Put(ApiKeyRow row) => (ApiKeys ??= []).Add(row);

    /// <summary>Puts a wallet; a later put of the same wallet in this unit replaces the earlier one.</summary>
    public void Put(WalletRow row) => Replace(Wallets ??= [], row, static (a, b) => a.Organisation == b.Organisation && a.Id == b.Id);

    public void Put(ReservationRow row) => Replace(Reservations ??= [], row, static (a, b) => a.Organisation == b.Organisation && a.Id == b.Id);

    public void Put(LeaseRow row) => Replace(Leases ??= [], row, static (a, b) => a.Organisation == b.Organisation && a.Id == b.Id);

    public void Put(UsageSourceRow row) => (UsageSources ??= []).Add(row);

    public void Put(AuditSourceRow row) => (AuditSources ??= []).Add(row);

    public void Add(TransactionRow row) => (Transactions ??= []).Add(row);

    public void Add(UsageRecordRow row) => (UsageRecords ??= []).Add(row);

    public void Add(AuditEntryRow row) => (AuditEntries ??= []).Add(row);

    public void Add(CheckpointRow row) => (Checkpoints ??= []).Add(row);

    private static void Replace<T>(List<T> list, T row, Func<T, T, bool> same)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (same(list[i], row))
            {
                list[i] = row;
                return;
            }
        }

        list.Add(row);
    }
}
