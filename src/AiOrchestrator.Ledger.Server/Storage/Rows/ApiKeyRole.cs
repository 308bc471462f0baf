namespace AiOrchestrator.Ledger.Server.Storage.Rows;

/// <summary>What an API key may do.</summary>
internal enum ApiKeyRole
{
    /// <summary>Every organisation and every endpoint.</summary>
    Admin,

    /// <summary>One organisation, its listed wallets (and those below them), no administration.</summary>
    Client,
}
