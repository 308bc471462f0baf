using System.ComponentModel.DataAnnotations;

namespace AiOrchestrator.Ledger.Server.Storage;

/// <summary>The <c>Ledger:Storage</c> section.</summary>
internal sealed class LedgerStorageOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Ledger:Storage";

    /// <summary><c>litedb</c> (default) or <c>postgres</c>.</summary>
    public LedgerStorage Provider { get; set; } = LedgerStorage.LiteDb;

    /// <summary>The LiteDB file; relative paths are under the content root. Default <c>data/ledger.db</c>.</summary>
    [Required(AllowEmptyStrings = false)]
    public string LiteDbPath { get; set; } = "data/ledger.db";

    /// <summary>The PostgreSQL connection string; required when the provider is <c>postgres</c>.</summary>
    public string? PostgresConnectionString { get; set; }

    /// <summary>LiteDB: how many units of work at most share one commit (group commit).</summary>
    [Range(1, 10_000)]
    public int MaxGroupCommit { get; set; } = 512;
}
