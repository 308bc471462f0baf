using AiOrchestrator.Ledger.Server.Storage;
using AiOrchestrator.Ledger.Server.Storage.LiteDb;
using AiOrchestrator.Ledger.Server.Storage.Rows;
using Microsoft.Extensions.Logging.Abstractions;

namespace AiOrchestrator.Ledger.Server.Tests.Storage;

/// <summary>The store contract, for LiteDB; plus what is LiteDB's own (the file survives a reopen).</summary>
public sealed class LiteDbLedgerStoreTests : LedgerStoreContract, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ledger-store-").FullName;

    private string FilePath => Path.Combine(_directory, "ledger.db");

    internal override async Task<ILedgerStore> CreateStoreAsync()
    {
        var store = new LiteDbLedgerStore(FilePath, 64, NullLogger<LiteDbLedgerStore>.Instance);
        await store.InitializeAsync(default);
        return store;
    }

    [Fact]
    public async Task Rows_and_the_sequence_survive_reopening_the_file()
    {
        await Write(Changes(c =>
        {
            c.Put(Wallet("acme", "org:acme", spent: 3m));
            c.Add(new TransactionRow(0, "acme", "org:acme", "top-up", 1m, 0m, "USD", DateTimeOffset.UnixEpoch, null));
        }));
        await Store.DisposeAsync();

        await using var reopened = await CreateStoreAsync();
        (await reopened.GetWalletAsync("acme", "org:acme", default))!.Spent.Should().Be(3m);
        await reopened.ExecuteAsync(async (u, ct) =>
        {
            var changes = new LedgerChanges();
            changes.Add(new TransactionRow(0, "acme", "org:acme", "top-up", 1m, 0m, "USD", DateTimeOffset.UnixEpoch, null));
            await u.WriteAsync(changes, ct);
            return 0;
        }, default);
        var sequences = (await reopened.ListTransactionsAsync("acme", null, 0, 10, default)).Select(t => t.Sequence).ToList();
        sequences.Should().HaveCount(2).And.OnlyHaveUniqueItems().And.BeInAscendingOrder();
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
