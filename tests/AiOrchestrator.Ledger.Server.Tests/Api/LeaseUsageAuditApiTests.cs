using AiOrchestrator.Audit;

namespace AiOrchestrator.Ledger.Server.Tests.Api;

public sealed class LeaseUsageAuditApiTests : IAsyncLifetime
{
    private static readonly DateTimeOffset At = new(2025, 6, 10, 11, 0, 0, TimeSpan.Zero);
    private LedgerServerHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await LedgerServerHost.StartAsync(fakeTime: true);
        await _host.CreateOrganisationAsync("acme");
        await _host.DefineWalletAsync("acme", "org:acme", "100");
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private Task<LeaseResponse> LeaseAsync(string amount, int ttl = 60)
        => _host.SendAsync<LeaseResponse>(HttpMethod.Post, "/v1/organisations/acme/leases", new LeaseRequest(["org:acme"], amount, "USD", ttl, "host-1"), expect: 201);

    private static UsageRecordRequest Record(string id, string amount, string? lease = null, string model = "gpt-4o")
        => new(id, ["org:acme"], amount, "USD", At, lease, "acme/search", "openai", model, 100, 10);

    private Task<HttpResponseMessage> UsageAsync(long sequence, params UsageRecordRequest[] records)
        => _host.SendAsync(HttpMethod.Post, "/v1/organisations/acme/usage", new UsageBatchRequest("outbox-1", sequence, records));

    [Fact]
    public async Task A_lease_holds_its_amount_shrinks_with_usage_grows_on_renew_and_gives_back_the_rest_on_return()
    {
        var lease = await LeaseAsync("10");
        (await _host.WalletAsync("acme", "org:acme")).Leased.Should().Be("10");

        using var usage = await UsageAsync(1, Record("u1", "3", lease.Id));
        ((int)usage.StatusCode).Should().Be(200);
        var wallet = await _host.WalletAsync("acme", "org:acme");
        wallet.Spent.Should().Be("3");
        wallet.Leased.Should().Be("7");
        wallet.Available.Should().Be("90");

        var renewed = await _host.SendAsync<LeaseResponse>(HttpMethod.Post, $"/v1/organisations/acme/leases/{lease.Id}/renew", new LeaseRenewRequest(120, "5"));
        renewed.Amount.Should().Be("15");
        renewed.Remaining.Should().Be("12");
        renewed.ExpiresAt.Should().Be(_host.Time!.GetUtcNow().AddSeconds(120));
        (await _host.WalletAsync("acme", "org:acme")).Leased.Should().Be("12");

        var returned = await _host.SendAsync<LeaseResponse>(HttpMethod.Post, $"/v1/organisations/acme/leases/{lease.Id}/return");
        returned.Status.Should().Be("returned");
        wallet = await _host.WalletAsync("acme", "org:acme");
        wallet.Leased.Should().Be("0");
        wallet.Spent.Should().Be("3");
        wallet.Available.Should().Be("97");
    }

    [Fact]
    public async Task Usage_for_an_expired_lease_is_still_posted_and_the_lease_hold_comes_back()
    {
        var lease = await LeaseAsync("10", ttl: 30);
        _host.Time!.Advance(TimeSpan.FromSeconds(31));

        using var usage = await UsageAsync(1, Record("late", "4", lease.Id));

        ((int)usage.StatusCode).Should().Be(200);
        var wallet = await _host.WalletAsync("acme", "org:acme");
        wallet.Spent.Should().Be("4");
        wallet.Leased.Should().Be("0");
        (await _host.SendAsync<LeaseResponse>(HttpMethod.Get, $"/v1/organisations/acme/leases/{lease.Id}")).Status.Should().Be("expired");
        using var renew = await _host.SendAsync(HttpMethod.Post, $"/v1/organisations/acme/leases/{lease.Id}/renew", new LeaseRenewRequest(60, null));
        await LedgerServerHost.ProblemAsync(renew, 409);
    }

    [Fact]
    public async Task Usage_batches_replay_refuse_gaps_and_skip_duplicate_records()
    {
        using var first = await UsageAsync(1, Record("a", "1"), Record("b", "2"), Record("a", "1"));
        var firstBody = System.Text.Json.JsonSerializer.Deserialize(await first.Content.ReadAsStringAsync(), LedgerJsonContext.Default.UsageBatchResponse)!;
        using var replay = await UsageAsync(1, Record("a", "1"), Record("b", "2"));
        using var gap = await UsageAsync(3, Record("c", "1"));
        using var next = await UsageAsync(2, Record("b", "2"), Record("c", "5"));

        firstBody.Accepted.Should().Be(2);
        firstBody.Duplicates.Should().Be(1);
        (await replay.Content.ReadAsStringAsync()).Should().Contain("\"replayed\":true");
        (await LedgerServerHost.ProblemAsync(gap, 409)).GetProperty("expectedSequence").GetInt64().Should().Be(2);
        (await next.Content.ReadAsStringAsync()).Should().Contain("\"accepted\":1").And.Contain("\"duplicates\":1");
        (await _host.WalletAsync("acme", "org:acme")).Spent.Should().Be("8");
    }

    [Fact]
    public async Task A_batch_of_5000_records_fits_the_body_limit()
    {
        var records = Enumerable.Range(0, 5000).Select(i => Record("bulk-record-" + i.ToString("D6"), "0.000123", model: "claude-sonnet-4-5-20250929")).ToArray();

        using var response = await UsageAsync(1, records);

        ((int)response.StatusCode).Should().Be(200, await response.Content.ReadAsStringAsync());
        (await _host.WalletAsync("acme", "org:acme")).Spent.Should().Be("0.615");
    }

    [Fact]
    public async Task Spend_reports_group_by_model_in_json_and_csv()
    {
        using var usage = await UsageAsync(1, Record("1", "1.5", model: "gpt-4o"), Record("2", "0.5", model: "gpt-4o"), Record("3", "3", model: "claude,\"x\""));

        var report = await _host.SendAsync<SpendReport>(HttpMethod.Get, "/v1/organisations/acme/reports/spend?by=model&from=2025-06-01T00:00:00Z&to=2025-07-01T00:00:00Z");
        using var csvRequest = new HttpRequestMessage(HttpMethod.Get, "/v1/organisations/acme/reports/spend?by=model&from=2025-06-01T00:00:00Z&to=2025-07-01T00:00:00Z");
        csvRequest.Headers.Authorization = new("Bearer", LedgerServerHost.AdminKey);
        csvRequest.Headers.Accept.ParseAdd("text/csv");
        using var csv = await _host.Client.SendAsync(csvRequest);

        report.Rows.Select(r => (r.Key, r.Amount, r.Records)).Should().Equal(("claude,\"x\"", "3", 1L), ("gpt-4o", "2", 2L));
        ((int)csv.StatusCode).Should().Be(200, "the CSV report is answered like the JSON one (body: {0})", await csv.Content.ReadAsStringAsync());
        csv.Content.Headers.ContentType!.MediaType.Should().Be("text/csv");
        (await csv.Content.ReadAsStringAsync()).Should().Be(
            "key,currency,amount,records,input_tokens,output_tokens\r\n\"claude,\"\"x\"\"\",USD,3,1,100,10\r\ngpt-4o,USD,2,2,200,20\r\n");
    }

    private static (AuditEntryUpload Upload, string Hash)[] Chain(int count, int start = 0, string? previous = null)
    {
        var prev = previous is null ? new byte[32] : Convert.FromHexString(previous);
        var result = new (AuditEntryUpload, string)[count];
        for (var i = 0; i < count; i++)
        {
            var entry = new AuditEntry { Sequence = start + i, Time = At.AddSeconds(i), Kind = AuditEntryKind.Allowed, Organization = "acme", Model = "gpt-4o", PreviousHash = prev };
            var canonical = entry.ToCanonicalJson();
            prev = MerkleHash.HashLeaf(canonical);
            var hash = Convert.ToHexStringLower(prev);
            result[i] = (new AuditEntryUpload(start + i, Convert.ToBase64String(canonical), hash), hash);
        }

        return result;
    }

    [Fact]
    public async Task Audit_entries_extend_the_chain_and_anything_else_is_refused()
    {
        var first = Chain(3);
        var chain = await _host.SendAsync<AuditChainResponse>(HttpMethod.Post, "/v1/organisations/acme/audit/entries",
            new AuditEntriesRequest("log-1", first.Select(e => e.Upload).ToArray()));
        chain.Size.Should().Be(3);
        chain.Head.Should().Be(first[^1].Hash);

        // A retried upload of what is held changes nothing; the next entries extend the head.
        await _host.SendAsync<AuditChainResponse>(HttpMethod.Post, "/v1/organisations/acme/audit/entries", new AuditEntriesRequest("log-1", first.Select(e => e.Upload).ToArray()));
        var more = Chain(2, start: 3, previous: first[^1].Hash);
        (await _host.SendAsync<AuditChainResponse>(HttpMethod.Post, "/v1/organisations/acme/audit/entries",
            new AuditEntriesRequest("log-1", more.Select(e => e.Upload).ToArray()))).Size.Should().Be(5);

        // A rewritten chain, an entry that links elsewhere, a gap, and a wrong hash are all refused.
        var rewritten = Chain(6);
        using var rewrite = await _host.SendAsync(HttpMethod.Post, "/v1/organisations/acme/audit/entries", new AuditEntriesRequest("log-1", [rewritten[5].Upload]));
        using var gap = await _host.SendAsync(HttpMethod.Post, "/v1/organisations/acme/audit/entries",
            new AuditEntriesRequest("log-1", [Chain(1, start: 7, previous: more[^1].Hash)[0].Upload]));
        using var overwrite = await _host.SendAsync(HttpMethod.Post, "/v1/organisations/acme/audit/entries", new AuditEntriesRequest("log-1", [Chain(1, start: 0, previous: new string('1', 64))[0].Upload]));
        var next = Chain(1, start: 5, previous: more[^1].Hash)[0].Upload;
        using var badHash = await _host.SendAsync(HttpMethod.Post, "/v1/organisations/acme/audit/entries", new AuditEntriesRequest("log-1", [next with { Hash = new string('a', 64) }]));

        await LedgerServerHost.ProblemAsync(rewrite, 409);
        await LedgerServerHost.ProblemAsync(gap, 409);
        await LedgerServerHost.ProblemAsync(overwrite, 409);
        await LedgerServerHost.ProblemAsync(badHash, 422);
    }

    [Fact]
    public async Task Checkpoints_are_anchored_only_when_their_root_matches_the_stored_chain()
    {
        var entries = Chain(5);
        await _host.SendAsync<AuditChainResponse>(HttpMethod.Post, "/v1/organisations/acme/audit/entries", new AuditEntriesRequest("log-1", entries.Select(e => e.Upload).ToArray()));
        var root = Convert.ToHexStringLower(MerkleHash.ComputeRoot(entries.Take(4).Select(e => Convert.FromHexString(e.Hash)).ToList()));

        var anchored = await _host.SendAsync<CheckpointResponse>(HttpMethod.Post, "/v1/organisations/acme/audit/checkpoints",
            new CheckpointRequest("log-1", 4, root, At, Convert.ToBase64String([1, 2, 3]), "kid"), expect: 201);
        using var wrongRoot = await _host.SendAsync(HttpMethod.Post, "/v1/organisations/acme/audit/checkpoints",
            new CheckpointRequest("log-1", 5, root, At, Convert.ToBase64String([1]), null));
        using var beyond = await _host.SendAsync(HttpMethod.Post, "/v1/organisations/acme/audit/checkpoints",
            new CheckpointRequest("log-1", 6, root, At, Convert.ToBase64String([1]), null));
        var listed = await _host.SendAsync<IReadOnlyList<CheckpointResponse>>(HttpMethod.Get, "/v1/organisations/acme/audit/checkpoints?source=log-1");

        anchored.Size.Should().Be(4);
        await LedgerServerHost.ProblemAsync(wrongRoot, 409);
        await LedgerServerHost.ProblemAsync(beyond, 409);
        listed.Should().ContainSingle().Which.RootHash.Should().Be(root);
    }
}
