using AiOrchestrator.Ledger.Server;
using AiOrchestrator.Ledger.Server.Auth;
using AiOrchestrator.Ledger.Server.Storage;
using AiOrchestrator.Ledger.Server.Storage.Rows;
using Microsoft.Extensions.Options;

// `dotnet run -- bootstrap-admin [--name <label>]` issues an admin key and prints its secret once.
if (args.Length > 0 && args[0] == "bootstrap-admin")
{
    var nameIndex = Array.IndexOf(args, "--name");
    var name = nameIndex > 0 && nameIndex + 1 < args.Length ? args[nameIndex + 1] : "bootstrap admin";
    var rest = nameIndex > 0 ? args[1..nameIndex].Concat(args[(nameIndex + 2)..]).ToArray() : args[1..];
    await using var setup = LedgerApp.Build(rest);
    _ = setup.Services.GetRequiredService<IOptions<LedgerOptions>>().Value;
    var store = setup.Services.GetRequiredService<ILedgerStore>();
    await store.InitializeAsync(CancellationToken.None);
    var secret = ApiKeySecrets.NewSecret();
    var key = new ApiKeyRow(ApiKeySecrets.NewKeyId(), ApiKeySecrets.Hash(secret), ApiKeyRole.Admin, null, [], name, TimeProvider.System.GetUtcNow(), null);
    await store.ExecuteAsync(async (unit, ct) =>
    {
        var changes = new LedgerChanges();
        changes.Put(key);
        await unit.WriteAsync(changes, ct);
        return 0;
    }, CancellationToken.None);
    Console.WriteLine($"Admin key {key.Id} issued ({store.Name}). Its secret is shown once; keep it safe:");
    Console.WriteLine(secret);
    return 0;
}

var app = LedgerApp.Build(args);
await app.RunAsync();
return 0;
