namespace AiOrchestrator.Ledger.Server.Storage.Rows;

/// <summary>The life of a reservation or a lease: open, then closed one way.</summary>
internal enum HoldState
{
    /// <summary>Pending (a reservation) or active (a lease).</summary>
    Open,

    /// <summary>A reservation posted by commit.</summary>
    Committed,

    /// <summary>A reservation voided by release, or a lease given back by return.</summary>
    Released,

    /// <summary>Timed out.</summary>
    Expired,
}
