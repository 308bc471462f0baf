using AiOrchestrator.Ledger.Server.Storage;
using AiOrchestrator.Ledger.Server.Storage.Postgres;
using AiOrchestrator.Ledger.Server.Storage.Rows;
using AiOrchestrator.Ledger.Server.Tests.Storage;
using AiOrchestrator.Ledger.Server.Tests.TestInfrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace AiOrchestrator.Ledger.Server.Tests.Postgres;

/// <summary>
/// The store contract on a real PostgreSQL server (a new database per test), plus what PostgreSQL adds: two ledger
/// instances (two stores) on one database, with every conflict settled in the database. Run with group commit
/// (<see cref="PostgresGroupCommitStoreTests"/>) and with one transaction per unit (<see cref="PostgresUnitPerTransactionStoreTests"/>).
/// </summary>
public abstract class PostgresLedgerStoreTests(PostgresFixture postgres) : LedgerStoreContract
{
    /// <summary>The store's <c>maxGroupCommit</c>.</summary>
    protected abstract int MaxGroupCommit { get; }

    private string? _connectionString;

    private string ConnectionString => _connectionString ?? throw new InvalidOperationException("No database yet.");

    internal override async Task<ILedgerStore> CreateStoreAsync()
    {
        _connectionString ??= await postgres.CreateDatabaseAsync(nameof(PostgresLedgerStoreTests));
        return await OpenStoreAsync();
    }

    [Fact]
    public async Task Two_instances_starting_together_apply_each_migration_once()
    {
        var connectionString = await postgres.CreateDatabaseAsync("migrate");
        const int instances = 4;
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var starting = Enumerable.Range(0, instances).Select(_ => Task.Run(async () =>
        {
            var store = PostgresLedgerStore.Create(connectionString, MaxGroupCommit, NullLogger<PostgresLedgerStore>.Instance);
            await start.Task;
            await store.InitializeAsync(default);
            return store;
        })).ToArray();
        start.SetResult();
        var stores = await Task.WhenAll(starting);

        try
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT version FROM schema_migrations ORDER BY version", connection);
            var versions = new List<int>();
            await using (var reader = await command.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    versions.Add(reader.GetInt32(0));
                }
            }

            versions.Should().Equal(PostgresMigrations.All.Select(m => m.Version));
        }
        finally
        {
            foreach (var store in stores)
            {
                await store.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_database_migrated_by_a_newer_ledger_is_refused_at_start()
    {
        await using (var connection = new NpgsqlConnection(ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("INSERT INTO schema_migrations (version, name) VALUES (9999, 'from_the_future')", connection);
            await command.ExecuteNonQueryAsync();
        }

        await using var newer = PostgresLedgerStore.Create(ConnectionString, MaxGroupCommit, NullLogger<PostgresLedgerStore>.Instance);
        var act = async () => await newer.InitializeAsync(default);

        (await act.Should().ThrowAsync<InvalidOperationException>()).WithMessage("*schema version 9999*newer than this ledger*");
    }

    [Theory]
    [InlineData(null, "*PostgresConnectionString is empty*")]
    [InlineData("", "*PostgresConnectionString is empty*")]
    [InlineData("Database=ledger", "*names no Host*")]
    [InlineData("Host=localhost;Bogus Key=1", "*not a valid PostgreSQL connection string*")]
    public void A_missing_or_malformed_connection_string_fails_at_start_naming_the_setting(string? connectionString, string message)
    {
        var act = () => PostgresLedgerStore.Create(connectionString, MaxGroupCommit, NullLogger<PostgresLedgerStore>.Instance);

        act.Should().Throw<InvalidOperationException>().WithMessage(message);
    }

    [Fact]
    public async Task An_unreachable_server_fails_at_start_with_what_to_check()
    {
        await using var store = PostgresLedgerStore.Create("Host=127.0.0.1;Port=1;Username=postgres;Timeout=2", MaxGroupCommit, NullLogger<PostgresLedgerStore>.Instance);

        var act = async () => await store.InitializeAsync(default);

        (await act.Should().ThrowAsync<InvalidOperationException>()).WithMessage("*Could not reach PostgreSQL*Ledger:Storage:PostgresConnectionString*");
    }

    [Fact]
    public async Task Two_instances_lose_no_update_on_a_shared_wallet()
    {
        await using var other = await OpenStoreAsync();
        await Write(Changes(c => c.Put(Wallet("acme", "org:acme"))));
        const int callers = 48;
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = Enumerable.Range(0, callers).Select(i => Task.Run(async () =>
        {
            var store = i % 2 == 0 ? Store : other;
            await start.Task;
            await store.ExecuteAsync(async (u, ct) =>
            {
                var wallets = await u.LockWalletsAsync("acme", ["org:acme"], ct);
                var changes = new LedgerChanges();
                changes.Put(wallets[0]! with { Spent = wallets[0]!.Spent + 0.25m, Version = wallets[0]!.Version + 1 });
                changes.Add(new TransactionRow(0, "acme", "org:acme", "usage", 0.25m, 0.25m, "USD", T0, "c" + i));
                await u.WriteAsync(changes, ct);
                return true;
            }, default);
        })).ToArray();
        start.SetResult();
        await Task.WhenAll(running);

        var wallet = await other.GetWalletAsync("acme", "org:acme", default);
        wallet!.Spent.Should().Be(callers * 0.25m);
        wallet.Version.Should().Be(callers + 1);
        var history = await Store.ListTransactionsAsync("acme", null, 0, 1000, default);
        history.Select(t => t.Sequence).Should().Equal(Enumerable.Range(1, callers).Select(n => (long)n));
    }

    [Fact]
    public async Task Wallets_locked_with_their_reservation_lose_no_update_on_two_instances()
    {
        await using var other = await OpenStoreAsync();
        await Write(Changes(c =>
        {
            c.Put(Wallet("acme", "org:acme"));
            c.Put(Wallet("acme", "team:acme/a"));
            c.Put(new ReservationRow("acme", "r1", ["team:acme/a", "org:acme"], 1m, "USD", HoldState.Open, null, T0, T0.AddHours(1), null));
        }));
        const int callers = 32;
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = Enumerable.Range(0, callers).Select(i => Task.Run(async () =>
        {
            var store = i % 2 == 0 ? Store : other;
            await start.Task;
            await store.ExecuteAsync(async (u, ct) =>
            {
                var reservation = await u.LockReservationAsync("acme", "r1", ct);
                var wallets = await u.LockWalletsAsync("acme", reservation!.Wallets, ct);
                var changes = new LedgerChanges();
                foreach (var w in wallets)
                {
                    changes.Put(w! with { Spent = w.Spent + 0.5m, Version = w.Version + 1 });
                }

                changes.Put(reservation with { Committed = (reservation.Committed ?? 0m) + 0.5m });
                await u.WriteAsync(changes, ct);
                return true;
            }, default);
        })).ToArray();
        start.SetResult();
        await Task.WhenAll(running);

        (await Store.ListWalletsAsync("acme", default)).Should().OnlyContain(w => w.Spent == callers * 0.5m && w.Version == callers + 1);
        (await other.GetReservationAsync("acme", "r1", default))!.Committed.Should().Be(callers * 0.5m);
    }

    [Fact]
    public async Task Units_that_lock_wallets_in_opposite_orders_on_two_instances_all_complete()
    {
        await using var other = await OpenStoreAsync();
        await Write(Changes(c =>
        {
            c.Put(Wallet("acme", "org:acme"));
            c.Put(Wallet("acme", "team:acme/a"));
            c.Put(Wallet("acme", "user:acme/a/x"));
        }));
        const int callers = 32;
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = Enumerable.Range(0, callers).Select(i => Task.Run(async () =>
        {
            var store = i % 2 == 0 ? Store : other;
            string[] ids = i % 2 == 0 ? ["user:acme/a/x", "team:acme/a", "org:acme"] : ["org:acme", "team:acme/a", "user:acme/a/x"];
            await start.Task;
            await store.ExecuteAsync(async (u, ct) =>
            {
                var wallets = await u.LockWalletsAsync("acme", ids, ct);
                var changes = new LedgerChanges();
                foreach (var w in wallets)
                {
                    changes.Put(w! with { Reserved = w.Reserved + 1m, Version = w.Version + 1 });
                }

                await u.WriteAsync(changes, ct);
                return true;
            }, default);
        })).ToArray();
        start.SetResult();
        await Task.WhenAll(running);

        (await Store.ListWalletsAsync("acme", default)).Should().OnlyContain(w => w.Reserved == callers);
    }

    [Fact]
    public async Task Only_one_of_many_concurrent_units_with_the_same_idempotency_key_writes_it()
    {
        await using var other = await OpenStoreAsync();
        const int callers = 16;
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var units = Enumerable.Range(0, callers).Select(i => Task.Run(async () =>
        {
            var store = i % 2 == 0 ? Store : other;
            await start.Task;
            return await store.ExecuteAsync(async (u, ct) =>
            {
                if (await u.LockIdempotencyAsync("key-1", "same", ct) is not null)
                {
                    return false;
                }

                var changes = new LedgerChanges
                {
                    Idempotency = new IdempotencyRow("key-1", "same", "h", 201, "application/json", [(byte)i], T0, T0.AddDays(1)),
                };
                changes.Add(new TransactionRow(0, "acme", "org:acme", "top-up", 1m, 0m, "USD", T0, "caller " + i));
                await u.WriteAsync(changes, ct);
                return true;
            }, default);
        })).ToArray();
        start.SetResult();
        var wrote = await Task.WhenAll(units);

        wrote.Count(w => w).Should().Be(1);
        (await Store.ListTransactionsAsync("acme", null, 0, 100, default)).Should().ContainSingle();
    }

    [Fact]
    public async Task A_usage_record_id_uploaded_through_two_instances_at_once_is_applied_once()
    {
        await using var other = await OpenStoreAsync();
        await Write(Changes(c => c.Put(Wallet("acme", "org:acme"))));
        const int callers = 16;
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = Enumerable.Range(0, callers).Select(i => Task.Run(async () =>
        {
            var store = i % 2 == 0 ? Store : other;
            await start.Task;
            await store.ExecuteAsync(async (u, ct) =>
            {
                var fresh = (await u.FindUsageRecordIdsAsync("acme", ["u-1"], ct)).Count == 0;
                var wallet = (await u.LockWalletsAsync("acme", ["org:acme"], ct))[0]!;
                if (fresh)
                {
                    var changes = new LedgerChanges();
                    changes.Add(new UsageRecordRow("acme", "u-1", "s" + i, 1, ["org:acme"], 2m, "USD", T0, null, null, null, null, 1, 1));
                    changes.Put(wallet with { Spent = wallet.Spent + 2m });
                    await u.WriteAsync(changes, ct);
                }

                return fresh;
            }, default);
        })).ToArray();
        start.SetResult();
        await Task.WhenAll(running);

        (await Store.GetWalletAsync("acme", "org:acme", default))!.Spent.Should().Be(2m);
    }

    [Fact]
    public async Task A_reader_paging_history_while_two_instances_write_misses_no_row()
    {
        await using var other = await OpenStoreAsync();
        const int writers = 16;
        const int unitsPerWriter = 20;
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var seen = new List<long>();
        var writing = Task.WhenAll(Enumerable.Range(0, writers).Select(i => Task.Run(async () =>
        {
            var store = i % 2 == 0 ? Store : other;
            await start.Task;
            for (var n = 0; n < unitsPerWriter; n++)
            {
                await store.ExecuteAsync(async (u, ct) =>
                {
                    // Wallets of different writers differ, so units commit in any order and overlap in time.
                    await u.LockWalletsAsync("acme", ["user:acme/w/" + i], ct);
                    var changes = new LedgerChanges();
                    changes.Add(new TransactionRow(0, "acme", "user:acme/w/" + i, "top-up", 1m, 0m, "USD", T0, null));
                    changes.Add(new TransactionRow(0, "acme", "user:acme/w/" + i, "top-up", 1m, 0m, "USD", T0, null));
                    await u.WriteAsync(changes, ct);
                    return true;
                }, default);
            }
        })).ToArray());
        var reading = Task.Run(async () =>
        {
            await start.Task;
            long after = 0;
            var drained = false;
            while (!drained)
            {
                // After the writers finish, one more pass to the end: a row skipped while writing stays skipped.
                var finished = writing.IsCompleted;
                IReadOnlyList<TransactionRow> page;
                do
                {
                    page = await other.ListTransactionsAsync("acme", null, after, 7, default);
                    foreach (var row in page)
                    {
                        seen.Add(row.Sequence);
                        after = row.Sequence;
                    }
                }
                while (page.Count > 0);
                drained = finished;
            }
        });
        start.SetResult();

        await writing;
        await reading;

        seen.Should().Equal(Enumerable.Range(1, writers * unitsPerWriter * 2).Select(n => (long)n));
    }

    private async Task<ILedgerStore> OpenStoreAsync()
    {
        var store = PostgresLedgerStore.Create(ConnectionString, MaxGroupCommit, NullLogger<PostgresLedgerStore>.Instance);
        await store.InitializeAsync(default);
        return store;
    }
}

/// <summary>The PostgreSQL store as configured by default: units share transactions (group commit).</summary>
[Collection(PostgresTestClasses.Name)]
public sealed class PostgresGroupCommitStoreTests(PostgresFixture postgres) : PostgresLedgerStoreTests(postgres)
{
    protected override int MaxGroupCommit => 512;
}

/// <summary>The PostgreSQL store with group commit off: one transaction per unit (also the path of re-runs).</summary>
[Collection(PostgresTestClasses.Name)]
public sealed class PostgresUnitPerTransactionStoreTests(PostgresFixture postgres) : PostgresLedgerStoreTests(postgres)
{
    protected override int MaxGroupCommit => 1;
}
