using AiOrchestrator.Budgets;
using AiOrchestrator.Ledger.Server.Storage;
using AiOrchestrator.Ledger.Server.Storage.Rows;

namespace AiOrchestrator.Ledger.Server.Tests.Storage;

/// <summary>
/// What every <see cref="ILedgerStore"/> promises. A store's tests derive from this class and say how to make an
/// empty store (<see cref="CreateStoreAsync"/>); each test gets a new one and disposes it.
/// </summary>
public abstract class LedgerStoreContract : IAsyncLifetime
{
    internal static readonly DateTimeOffset T0 = new DateTimeOffset(2025, 3, 14, 15, 9, 26, TimeSpan.Zero).AddTicks(5358979);

    private ILedgerStore? _store;

    internal ILedgerStore Store => _store ?? throw new InvalidOperationException("Not initialised.");

    /// <summary>A new, empty, initialised store.</summary>
    internal abstract Task<ILedgerStore> CreateStoreAsync();

    public async Task InitializeAsync() => _store = await CreateStoreAsync();

    public async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }
    }

    internal static WalletRow Wallet(string org, string id, decimal limit = 100m, decimal spent = 0m, decimal reserved = 0m, long version = 1)
        => new(org, id, "USD", limit, BudgetPeriod.Month, "UTC", [0.5m, 0.8m], T0, 0m, spent, reserved, 0m, version, T0);

    internal Task<T> Run<T>(Func<ILedgerUnitOfWork, CancellationToken, ValueTask<T>> work) => Store.ExecuteAsync(work, CancellationToken.None).AsTask();

    internal Task Write(LedgerChanges changes) => Run(async (u, ct) =>
    {
        await u.WriteAsync(changes, ct);
        return true;
    });

    internal static LedgerChanges Changes(Action<LedgerChanges> fill)
    {
        var changes = new LedgerChanges();
        fill(changes);
        return changes;
    }

    [Fact]
    public async Task Every_row_kind_reads_back_exactly_as_written()
    {
        var wallet = Wallet("acme", "org:acme", limit: 12345.0000000001m, spent: 0.0000000001m) with { TimeZone = "Europe/Berlin", Period = BudgetPeriod.Week };
        var key = new ApiKeyRow("k1", "ab12", ApiKeyRole.Client, "acme", ["team:acme/search", "org:acme"], "search", T0, T0.AddDays(1));
        var reservation = new ReservationRow("acme", "r1", ["org:acme"], 1.25m, "USD", HoldState.Open, null, T0, T0.AddMinutes(5), "call-1");
        var lease = new LeaseRow("acme", "l1", ["org:acme"], 10m, 2.5m, "USD", "host-1", HoldState.Open, T0, T0.AddMinutes(10));
        var usage = new UsageRecordRow("acme", "u1", "outbox-1", 1, ["org:acme"], 0.003m, "USD", T0, "l1", "acme/search", "openai", "gpt-4o", 1000, 200);
        var checkpoint = new CheckpointRow("acme", "log-1", 2, new string('a', 64), T0, "c2ln", "kid", T0.AddSeconds(1));
        var auditSource = new AuditSourceRow("acme", "log-1", 2, new string('b', 64), T0);
        var idempotency = new IdempotencyRow("k1", "idem-1", "hash", 201, "application/json", [1, 2, 3], T0, T0.AddHours(24));
        await Write(Changes(c =>
        {
            c.Put(new OrganisationRow("acme", "Acme Corp", T0));
            c.Put(key);
            c.Put(wallet);
            c.Put(reservation);
            c.Put(lease);
            c.Put(new UsageSourceRow("acme", "outbox-1", 1, T0));
            c.Add(usage);
            c.Put(auditSource);
            c.Add(new AuditEntryRow("acme", "log-1", 0, [1], new string('c', 64)));
            c.Add(new AuditEntryRow("acme", "log-1", 1, [2], new string('b', 64)));
            c.Add(checkpoint);
            c.Idempotency = idempotency;
            c.Add(new TransactionRow(0, "acme", "org:acme", "top-up", 5m, 0m, "USD", T0, "because"));
        }));

        (await Store.GetOrganisationAsync("acme", default)).Should().Be(new OrganisationRow("acme", "Acme Corp", T0));
        (await Store.FindApiKeyByHashAsync("ab12", default)).Should().BeEquivalentTo(key);
        (await Store.ListApiKeysAsync(default)).Should().ContainSingle().Which.Should().BeEquivalentTo(key);
        (await Store.GetWalletAsync("acme", "org:acme", default)).Should().BeEquivalentTo(wallet);
        (await Store.ListWalletsAsync("acme", default)).Should().ContainSingle().Which.Should().BeEquivalentTo(wallet);
        (await Store.GetReservationAsync("acme", "r1", default)).Should().BeEquivalentTo(reservation);
        (await Store.GetLeaseAsync("acme", "l1", default)).Should().BeEquivalentTo(lease);
        (await Store.GetAuditSourceAsync("acme", "log-1", default)).Should().Be(auditSource);
        (await Store.ListCheckpointsAsync("acme", "log-1", default)).Should().ContainSingle().Which.Should().Be(checkpoint);
        (await Store.ListCheckpointsAsync("acme", "other", default)).Should().BeEmpty();
        var usages = new List<UsageRecordRow>();
        await foreach (var row in Store.ReadUsageAsync("acme", T0, T0.AddTicks(1), default))
        {
            usages.Add(row);
        }

        usages.Should().ContainSingle().Which.Should().BeEquivalentTo(usage);
        var tx = (await Store.ListTransactionsAsync("acme", null, 0, 10, default)).Should().ContainSingle().Subject;
        tx.Should().BeEquivalentTo(new TransactionRow(tx.Sequence, "acme", "org:acme", "top-up", 5m, 0m, "USD", T0, "because"));
        tx.Sequence.Should().BePositive();

        var inUnit = await Run(async (u, ct) => (
            Org: await u.LockOrganisationAsync("acme", ct),
            Key: await u.LockApiKeyAsync("k1", ct),
            Idem: await u.LockIdempotencyAsync("k1", "idem-1", ct),
            Source: await u.LockUsageSourceAsync("acme", "outbox-1", ct),
            Audit: await u.LockAuditSourceAsync("acme", "log-1", ct),
            Hashes: await u.ReadAuditHashesAsync("acme", "log-1", 2, ct),
            Reservation: await u.LockReservationAsync("acme", "r1", ct),
            Leases: await u.LockLeasesAsync("acme", ["l1", "missing"], ct),
            Wallets: await u.LockWalletsAsync("acme", ["org:acme"], ct)));
        inUnit.Org!.Name.Should().Be("Acme Corp");
        inUnit.Key.Should().BeEquivalentTo(key);
        inUnit.Idem.Should().BeEquivalentTo(idempotency);
        inUnit.Source.Should().Be(new UsageSourceRow("acme", "outbox-1", 1, T0));
        inUnit.Audit.Should().Be(auditSource);
        inUnit.Hashes.Should().Equal(new string('c', 64), new string('b', 64));
        inUnit.Reservation.Should().BeEquivalentTo(reservation);
        inUnit.Leases[0].Should().BeEquivalentTo(lease);
        inUnit.Leases[1].Should().BeNull();
        inUnit.Wallets.Should().ContainSingle().Which.Should().BeEquivalentTo(wallet);
    }

    [Fact]
    public async Task Rows_are_scoped_by_organisation()
    {
        await Write(Changes(c =>
        {
            c.Put(Wallet("acme", "org:acme"));
            c.Put(Wallet("globex", "org:globex"));
            c.Put(new ReservationRow("acme", "r1", ["org:acme"], 1m, "USD", HoldState.Open, null, T0, T0, null));
            c.Add(new TransactionRow(0, "globex", "org:globex", "top-up", 1m, 0m, "USD", T0, null));
        }));

        (await Store.ListWalletsAsync("acme", default)).Select(w => w.Id).Should().Equal("org:acme");
        (await Store.GetWalletAsync("globex", "org:acme", default)).Should().BeNull();
        (await Store.GetReservationAsync("globex", "r1", default)).Should().BeNull();
        (await Store.ListTransactionsAsync("acme", null, 0, 10, default)).Should().BeEmpty();
        (await Run((u, ct) => u.FindUsageRecordIdsAsync("globex", ["u1"], ct))).Should().BeEmpty();
    }

    [Fact]
    public async Task A_unit_that_throws_writes_nothing_and_the_error_reaches_the_caller()
    {
        var act = () => Run<int>(async (u, ct) =>
        {
            await u.WriteAsync(Changes(c => c.Put(Wallet("acme", "org:acme"))), ct);
            throw new InvalidOperationException("boom");
        });

        await act.Should().ThrowAsync<InvalidOperationException>().WithMessage("boom");
        (await Store.GetWalletAsync("acme", "org:acme", default)).Should().BeNull();

        // The store still works after a failed unit.
        await Write(Changes(c => c.Put(Wallet("acme", "org:acme"))));
        (await Store.GetWalletAsync("acme", "org:acme", default)).Should().NotBeNull();
    }

    [Fact]
    public async Task Upserts_replace_the_row_of_the_same_id()
    {
        await Write(Changes(c => c.Put(Wallet("acme", "org:acme", spent: 1m))));
        await Write(Changes(c => c.Put(Wallet("acme", "org:acme", spent: 2m, version: 2))));

        var wallet = await Store.GetWalletAsync("acme", "org:acme", default);
        wallet!.Spent.Should().Be(2m);
        wallet.Version.Should().Be(2);
        (await Store.ListWalletsAsync("acme", default)).Should().HaveCount(1);
    }

    [Fact]
    public async Task Transaction_sequences_increase_in_commit_order_and_page_by_after()
    {
        for (var unit = 0; unit < 5; unit++)
        {
            await Write(Changes(c =>
            {
                c.Add(new TransactionRow(0, "acme", "org:acme", "top-up", 1m, 0m, "USD", T0, null));
                c.Add(new TransactionRow(0, "acme", "team:acme/a", "top-up", 2m, 0m, "USD", T0, null));
            }));
        }

        var all = await Store.ListTransactionsAsync("acme", null, 0, 100, default);
        all.Should().HaveCount(10);
        all.Select(t => t.Sequence).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        all.Select(t => t.Wallet).Take(2).Should().Equal("org:acme", "team:acme/a");

        var first = await Store.ListTransactionsAsync("acme", "org:acme", 0, 2, default);
        first.Should().HaveCount(2).And.OnlyContain(t => t.Wallet == "org:acme");
        var rest = await Store.ListTransactionsAsync("acme", "org:acme", first[^1].Sequence, 100, default);
        rest.Should().HaveCount(3);
        rest[0].Sequence.Should().BeGreaterThan(first[^1].Sequence);
    }

    [Fact]
    public async Task LockWallets_answers_in_the_order_asked_with_null_for_a_missing_wallet()
    {
        await Write(Changes(c =>
        {
            c.Put(Wallet("acme", "org:acme"));
            c.Put(Wallet("acme", "team:acme/search"));
        }));

        var rows = await Run((u, ct) => u.LockWalletsAsync("acme", ["team:acme/search", "user:acme/search/x", "org:acme"], ct));

        rows.Select(r => r?.Id).Should().Equal("team:acme/search", null, "org:acme");
    }

    [Fact]
    public async Task Concurrent_read_modify_write_units_lose_no_update()
    {
        await Write(Changes(c => c.Put(Wallet("acme", "org:acme"))));
        const int callers = 64;
        // An async gate, not a Barrier: 64 blocked pool threads would starve a 2-core machine's thread pool.
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tasks = Enumerable.Range(0, callers).Select(i => Task.Run(async () =>
        {
            await gate.Task;
            await Run(async (u, ct) =>
            {
                var wallet = (await u.LockWalletsAsync("acme", ["org:acme"], ct))[0]!;
                var changes = new LedgerChanges();
                changes.Put(wallet with { Spent = wallet.Spent + 1m, Version = wallet.Version + 1 });
                changes.Add(new TransactionRow(0, "acme", "org:acme", "usage", 1m, 1m, "USD", T0, "c" + i));
                await u.WriteAsync(changes, ct);
                return true;
            });
        })).ToArray();
        gate.SetResult();
        await Task.WhenAll(tasks);

        var final = await Store.GetWalletAsync("acme", "org:acme", default);
        final!.Spent.Should().Be(callers);
        final.Version.Should().Be(callers + 1);
        (await Store.ListTransactionsAsync("acme", null, 0, 1000, default)).Should().HaveCount(callers);
    }

    [Fact]
    public async Task A_unit_sees_what_earlier_units_committed()
    {
        await Write(Changes(c => c.Put(Wallet("acme", "org:acme", spent: 7m))));

        var seen = await Run(async (u, ct) => (await u.LockWalletsAsync("acme", ["org:acme"], ct))[0]!.Spent);

        seen.Should().Be(7m);
    }

    [Fact]
    public async Task Usage_record_ids_already_held_are_found()
    {
        await Write(Changes(c =>
        {
            c.Add(new UsageRecordRow("acme", "u1", "s", 1, ["org:acme"], 1m, "USD", T0, null, null, null, null, 0, 0));
            c.Add(new UsageRecordRow("acme", "u2", "s", 1, ["org:acme"], 1m, "USD", T0, null, null, null, null, 0, 0));
        }));

        var found = await Run((u, ct) => u.FindUsageRecordIdsAsync("acme", ["u2", "u3", "u1"], ct));

        found.Should().BeEquivalentTo(["u1", "u2"]);
    }

    [Fact]
    public async Task Usage_is_read_by_half_open_time_range()
    {
        await Write(Changes(c =>
        {
            for (var i = 0; i < 5; i++)
            {
                c.Add(new UsageRecordRow("acme", "u" + i, "s", 1, ["org:acme"], i, "USD", T0.AddHours(i), null, null, null, null, 0, 0));
            }
        }));

        var ids = new List<string>();
        await foreach (var row in Store.ReadUsageAsync("acme", T0.AddHours(1), T0.AddHours(3), default))
        {
            ids.Add(row.Id);
        }

        ids.Should().BeEquivalentTo(["u1", "u2"]);
    }

    [Fact]
    public async Task Audit_hashes_come_back_in_index_order_up_to_the_count()
    {
        await Write(Changes(c =>
        {
            for (var i = 11; i >= 0; i--)
            {
                c.Add(new AuditEntryRow("acme", "log", i, [(byte)i], i.ToString("x64")));
            }

            c.Add(new AuditEntryRow("acme", "log2", 0, [0], "other"));
        }));

        var hashes = await Run((u, ct) => u.ReadAuditHashesAsync("acme", "log", 10, ct));
        var none = await Run((u, ct) => u.ReadAuditHashesAsync("acme", "log", 0, ct));

        hashes.Should().Equal(Enumerable.Range(0, 10).Select(i => i.ToString("x64")));
        none.Should().BeEmpty();
    }

    [Fact]
    public async Task Only_open_holds_past_their_expiry_are_due()
    {
        await Write(Changes(c =>
        {
            c.Put(new ReservationRow("acme", "due", ["org:acme"], 1m, "USD", HoldState.Open, null, T0, T0.AddMinutes(1), null));
            c.Put(new ReservationRow("acme", "later", ["org:acme"], 1m, "USD", HoldState.Open, null, T0, T0.AddMinutes(10), null));
            c.Put(new ReservationRow("acme", "closed", ["org:acme"], 1m, "USD", HoldState.Committed, 1m, T0, T0, null));
            c.Put(new LeaseRow("globex", "due", ["org:globex"], 1m, 0m, "USD", "h", HoldState.Open, T0, T0.AddMinutes(1)));
            c.Put(new LeaseRow("globex", "returned", ["org:globex"], 1m, 0m, "USD", "h", HoldState.Released, T0, T0));
        }));

        var now = T0.AddMinutes(1);
        (await Store.ListDueReservationsAsync(now, 10, default)).Should().Equal(new HoldKey("acme", "due"));
        (await Store.ListDueLeasesAsync(now, 10, default)).Should().Equal(new HoldKey("globex", "due"));

        // Closing a hold takes it off the due list.
        await Write(Changes(c => c.Put(new ReservationRow("acme", "due", ["org:acme"], 1m, "USD", HoldState.Expired, null, T0, T0.AddMinutes(1), null))));
        (await Store.ListDueReservationsAsync(now, 10, default)).Should().BeEmpty();
    }

    [Fact]
    public async Task Expired_idempotency_records_are_purged()
    {
        await Write(Changes(c => c.Idempotency = new IdempotencyRow("k", "old", "h", 200, "application/json", [], T0, T0.AddHours(1))));
        await Write(Changes(c => c.Idempotency = new IdempotencyRow("k", "new", "h", 200, "application/json", [], T0, T0.AddHours(3))));

        (await Store.PurgeIdempotencyAsync(T0.AddHours(2), default)).Should().Be(1);

        (await Run((u, ct) => u.LockIdempotencyAsync("k", "old", ct))).Should().BeNull();
        (await Run((u, ct) => u.LockIdempotencyAsync("k", "new", ct))).Should().NotBeNull();
    }

    [Fact]
    public async Task Health_check_passes_on_a_working_store()
    {
        var act = async () => await Store.CheckHealthAsync(default);

        await act.Should().NotThrowAsync();
    }
}
