using AiOrchestrator.Ledger.Server.Storage.LiteDb;
using Microsoft.Extensions.Options;

namespace AiOrchestrator.Ledger.Server.Storage;

/// <summary>Creates the store the options name. The one place that knows every store.</summary>
internal static class LedgerStoreFactory
{
    public static ILedgerStore Create(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<LedgerStorageOptions>>().Value;
        var environment = services.GetRequiredService<IHostEnvironment>();
        return options.Provider switch
        {
            LedgerStorage.LiteDb => new LiteDbLedgerStore(
                Path.GetFullPath(options.LiteDbPath, environment.ContentRootPath),
                options.MaxGroupCommit,
                services.GetRequiredService<ILogger<LiteDbLedgerStore>>()),

            // The PostgreSQL store (Storage/Postgres) plugs in here.
            LedgerStorage.Postgres => throw new NotSupportedException(
                "The PostgreSQL store is not built yet: set Ledger:Storage:Provider to 'litedb'."),
            _ => throw new NotSupportedException($"Unknown storage provider '{options.Provider}'."),
        };
    }
}
