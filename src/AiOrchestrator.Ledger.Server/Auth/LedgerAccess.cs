namespace AiOrchestrator.Ledger.Server.Auth;

/// <summary>Who may call an endpoint (endpoint metadata; every ledger endpoint has one).</summary>
internal enum LedgerAccess
{
    /// <summary>No key needed (health).</summary>
    Anonymous,

    /// <summary>An admin key.</summary>
    Admin,

    /// <summary>An admin key, or a client key of the organisation in the path (another organisation answers 404).</summary>
    Organisation,
}

/// <summary>The endpoint metadata that carries <see cref="LedgerAccess"/>.</summary>
internal sealed record LedgerAccessMetadata(LedgerAccess Access);
