namespace AiOrchestrator.Ledger.Server.Storage;

/// <summary>Which store the ledger keeps its rows in (<c>Ledger:Storage:Provider</c>).</summary>
internal enum LedgerStorage
{
    /// <summary>One LiteDB file (the default): one ledger instance; nothing to install.</summary>
    LiteDb,

    /// <summary>PostgreSQL: several ledger instances behind a load balancer share it.</summary>
    Postgres,
}
