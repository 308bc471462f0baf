using System.Text;
using AiOrchestrator.Ledger.Server.Auth;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace AiOrchestrator.Ledger.Server.Tests.Api;

/// <summary>Authorisation of every endpoint, fuzzed input on every endpoint, concurrency, restart and start-up validation.</summary>
public sealed class SecurityAndRobustnessTests : IAsyncLifetime
{
    private LedgerServerHost _host = null!;
    private string _acmeSearchKey = null!;
    private string _globexKey = null!;

    public async Task InitializeAsync()
    {
        _host = await LedgerServerHost.StartAsync();
        foreach (var org in new[] { "acme", "globex" })
        {
            await _host.CreateOrganisationAsync(org);
            await _host.DefineWalletAsync(org, $"org:{org}", "100");
            await _host.DefineWalletAsync(org, $"team:{org}/search", "50");
            await _host.DefineWalletAsync(org, $"team:{org}/ads", "50");
        }

        _acmeSearchKey = await _host.ClientKeyAsync("acme", "team:acme/search");
        _globexKey = await _host.ClientKeyAsync("globex", "org:globex");
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    /// <summary>Every ledger endpoint of the running app, with its route filled in for organisation acme.</summary>
    private List<(string Method, string Path, LedgerAccess Access)> Endpoints()
    {
        var result = new List<(string, string, LedgerAccess)>();
        foreach (var endpoint in _host.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            var pattern = endpoint.RoutePattern.RawText!;
            var access = endpoint.Metadata.GetMetadata<LedgerAccessMetadata>();
            if (!pattern.StartsWith("/v1", StringComparison.Ordinal) && pattern != "/health")
            {
                continue;
            }

            access.Should().NotBeNull($"every ledger endpoint declares who may call it ({pattern})");
            var path = pattern.Replace("{organisation}", "acme").Replace("{**wallet}", "team:acme/search").Replace("{reservationId}", "res_x")
                .Replace("{leaseId}", "lease_x").Replace("{keyId}", "key_x");
            foreach (var method in endpoint.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods)
            {
                result.Add((method, path, access!.Access));
            }
        }

        result.Should().HaveCountGreaterThanOrEqualTo(25);
        return result;
    }

    [Fact]
    public async Task Every_endpoint_refuses_missing_and_invalid_keys_other_tenants_and_client_keys_on_admin_operations()
    {
        foreach (var (method, path, access) in Endpoints())
        {
            if (access == LedgerAccess.Anonymous)
            {
                continue;
            }

            var because = $"{method} {path}";
            using (var none = await _host.SendAsync(new HttpMethod(method), path, rawBody: "{}", key: null))
            {
                ((int)none.StatusCode).Should().Be(401, because);
                none.Headers.WwwAuthenticate.ToString().Should().Contain("Bearer", because);
            }

            using (var invalid = await _host.SendAsync(new HttpMethod(method), path, rawBody: "{}", key: "aiol_not-a-key"))
            {
                ((int)invalid.StatusCode).Should().Be(401, because);
            }

            using var otherTenant = await _host.SendAsync(new HttpMethod(method), path, rawBody: "{}", key: _globexKey);
            ((int)otherTenant.StatusCode).Should().Be(access == LedgerAccess.Admin ? 403 : 404, because);
            await LedgerServerHost.ProblemAsync(otherTenant, (int)otherTenant.StatusCode);

            if (access == LedgerAccess.Admin)
            {
                using var client = await _host.SendAsync(new HttpMethod(method), path, rawBody: "{}", key: _acmeSearchKey);
                ((int)client.StatusCode).Should().Be(403, because);
            }
        }
    }

    [Fact]
    public async Task A_client_key_works_on_its_wallets_and_the_wallets_above_them_but_not_on_others()
    {
        // Its own wallet, with the organisation wallet above it on the same request: allowed.
        using var own = await _host.SendAsync(HttpMethod.Post, "/v1/organisations/acme/reservations",
            new ReservationRequest(["team:acme/search", "org:acme"], "1", "USD", null, null), key: _acmeSearchKey);
        ((int)own.StatusCode).Should().Be(201, await own.Content.ReadAsStringAsync());

        var refused = new List<HttpResponseMessage>
        {
            await _host.SendAsync(HttpMethod.Post, "/v1/organisations/acme/reservations", new ReservationRequest(["team:acme/ads"], "1", "USD", null, null), key: _acmeSearchKey),
            await _host.SendAsync(HttpMethod.Post, "/v1/organisations/acme/reservations", new ReservationRequest(["org:acme"], "1", "USD", null, null), key: _acmeSearchKey),
            await _host.SendAsync(HttpMethod.Post, "/v1/organisations/acme/leases", new LeaseRequest(["team:acme/ads"], "1", "USD", 60, "h"), key: _acmeSearchKey),
            await _host.SendAsync(HttpMethod.Get, "/v1/organisations/acme/wallets/team:acme/ads", key: _acmeSearchKey),
            await _host.SendAsync(HttpMethod.Get, "/v1/organisations/acme/transactions?wallet=team:acme/ads", key: _acmeSearchKey),
            await _host.SendAsync(HttpMethod.Post, "/v1/organisations/acme/usage",
                new UsageBatchRequest("s", 1, [new UsageRecordRequest("u", ["team:acme/ads"], "1", "USD", DateTimeOffset.UnixEpoch, null, null, null, null, 0, 0)]), key: _acmeSearchKey),
        };
        foreach (var response in refused)
        {
            await LedgerServerHost.ProblemAsync(response, 403);
            response.Dispose();
        }

        var visible = await _host.SendAsync<IReadOnlyList<WalletResponse>>(HttpMethod.Get, "/v1/organisations/acme/wallets", key: _acmeSearchKey);
        visible.Select(w => w.Id).Should().Equal("team:acme/search");
    }

    [Fact]
    public async Task A_revoked_key_is_refused_at_once()
    {
        var created = await _host.SendAsync<ApiKeyResponse>(HttpMethod.Post, "/v1/keys", new ApiKeyRequest("client", "acme", ["org:acme"], "temp"), expect: 201);
        (await _host.WalletAsync("acme", "org:acme", created.Secret!)).Id.Should().Be("org:acme");

        var revoked = await _host.SendAsync<ApiKeyResponse>(HttpMethod.Delete, $"/v1/keys/{created.Id}");
        using var after = await _host.SendAsync(HttpMethod.Get, "/v1/organisations/acme/wallets/org:acme", key: created.Secret);

        revoked.RevokedAt.Should().NotBeNull();
        await LedgerServerHost.ProblemAsync(after, 401);
        var keys = await _host.SendAsync<IReadOnlyList<ApiKeyResponse>>(HttpMethod.Get, "/v1/keys");
        keys.Should().OnlyContain(k => k.Secret == null);
    }

    private async Task<string> FingerprintAsync()
    {
        var text = new StringBuilder();
        foreach (var org in new[] { "acme", "globex" })
        {
            foreach (var wallet in await _host.SendAsync<IReadOnlyList<WalletResponse>>(HttpMethod.Get, $"/v1/organisations/{org}/wallets"))
            {
                text.Append(wallet with { PeriodStart = default, PeriodEnd = null }).Append('\n');
            }

            var page = await _host.SendAsync<TransactionPage>(HttpMethod.Get, $"/v1/organisations/{org}/transactions?limit=1000");
            text.Append(org).Append(" history ").Append(page.Items.Count).Append('\n');
        }

        return text.ToString();
    }

    [Fact]
    public async Task Fuzzed_requests_on_every_endpoint_never_answer_5xx_and_never_change_state()
    {
        var before = await FingerprintAsync();
        string[] bodies =
        [
            "", "{", "[]", "null", "42", "\"text\"", "{\"wallets\":", "{}",
            "{\"wallets\":null,\"amount\":null,\"currency\":null,\"ttlSeconds\":null,\"holder\":null,\"source\":null,\"records\":null,\"entries\":null}",
            "{\"wallets\":[\"org:acme\"],\"amount\":1,\"currency\":\"USD\"}",
            "{\"wallets\":[\"org:acme\"],\"amount\":\"-1\",\"currency\":\"USD\",\"ttlSeconds\":60,\"holder\":\"h\"}",
            "{\"wallets\":[\"org:acme\"],\"amount\":\"NaN\",\"currency\":\"USD\",\"ttlSeconds\":60,\"holder\":\"h\"}",
            "{\"wallets\":[\"org:acme\"],\"amount\":\"1e309\",\"currency\":\"USD\",\"ttlSeconds\":60,\"holder\":\"h\"}",
            "{\"wallets\":[\"org:acme\"],\"amount\":\"99999999999999999999999999999999\",\"currency\":\"USD\",\"ttlSeconds\":60,\"holder\":\"h\"}",
            "{\"wallets\":[\"org:acme\"],\"amount\":\"1000000\",\"currency\":\"usd\",\"ttlSeconds\":99999999999,\"holder\":\"h\"}",
            "{\"wallets\":[\"org:globex\"],\"amount\":\"1\",\"currency\":\"USD\",\"ttlSeconds\":60,\"holder\":\"h\"}",
            "{\"wallets\":[\"org:acme\\u0000\"],\"amount\":\"1\",\"currency\":\"USD\"}",
            "{\"wallets\":[\"team:acme/\\ud800\"],\"amount\":\"1\",\"currency\":\"USD\"}",
            "{\"wallets\":[\"user:acme/ñ/😀\"],\"amount\":\"1\",\"currency\":\"USD\",\"ttlSeconds\":60,\"holder\":\"h\"}",
            "{\"currency\":\"USD\",\"limit\":\"-5\",\"period\":\"year\"}",
            "{\"source\":\"s\",\"sequence\":-1,\"records\":[]}",
            "{\"source\":\"s\",\"sequence\":1,\"records\":[{\"id\":\"x\",\"wallets\":[\"org:nope\"],\"amount\":\"1\",\"currency\":\"USD\",\"at\":\"not a time\"}]}",
            "{\"source\":\"s\",\"entries\":[{\"index\":0,\"canonical\":\"!!\",\"hash\":\"zz\"}]}",
            "{\"source\":\"s\",\"size\":5,\"rootHash\":\"00\",\"at\":\"2025-01-01T00:00:00Z\",\"signature\":\"%%\"}",
            "{\"role\":\"root\",\"organisation\":\"acme\"}",
            "{\"amount\":\"1\",\"bogus\":true}",
            "{\"name\":" + new string('[', 5000) + "}",
            "{\"name\":\"" + new string('x', 2 * 1024 * 1024) + "\"}",
        ];
        var sent = 0;
        string[] weirdIds = ["res_unknown", "%00", "..%2F..", "😀", "org:globex", "' OR 1=1 --", new string('z', 600)];

        foreach (var (method, path, _) in Endpoints())
        {
            var paths = new List<string> { path };
            paths.AddRange(weirdIds.Select(id => path.Replace("res_x", Uri.EscapeDataString(id)).Replace("lease_x", Uri.EscapeDataString(id))
                .Replace("key_x", Uri.EscapeDataString(id)).Replace("team:acme/search", Uri.EscapeDataString(id))));
            paths.Add(path.Replace("/acme/", "/nope/"));
            paths.Add(path.Replace("/acme/", "/" + Uri.EscapeDataString("ñ😀\u0001") + "/"));
            foreach (var target in paths.Distinct())
            {
                // Mutations on the admin's unknown-org and weird-id paths, and every malformed body.
                foreach (var body in method is "GET" or "DELETE" ? [""] : bodies)
                {
                    if (method == "DELETE" && target == path)
                    {
                        continue;
                    }

                    using var response = await _host.SendAsync(new HttpMethod(method), target + (method == "GET" ? "?limit=abc&after=-1&by=nope&from=yesterday" : ""),
                        rawBody: body.Length == 0 && method is "GET" or "DELETE" ? null : body);
                    sent++;
                    var status = (int)response.StatusCode;
                    status.Should().BeLessThan(500, $"{method} {target} with {body[..Math.Min(body.Length, 80)]}");
                    if (status >= 400)
                    {
                        response.Content.Headers.ContentType?.MediaType.Should().Be("application/problem+json", $"{method} {target}");
                    }
                }
            }
        }

        sent.Should().BeGreaterThan(2000);
        (await FingerprintAsync()).Should().Be(before);
    }

    [Fact]
    public async Task Unknown_routes_methods_and_oversized_bodies_answer_problems()
    {
        using var unknown = await _host.Client.GetAsync("/v1/nothing/here");
        using var method = await _host.SendAsync(HttpMethod.Patch, "/v1/organisations/acme");
        // Expect: 100-continue lets the client hear the 413 before it uploads a body the server will not read.
        using var hugeRequest = new HttpRequestMessage(HttpMethod.Post, "/v1/organisations/acme/usage")
        {
            Content = new StringContent("{\"source\":\"" + new string('x', 5 * 1024 * 1024) + "\"}", Encoding.UTF8, "application/json"),
        };
        hugeRequest.Headers.Authorization = new("Bearer", LedgerServerHost.AdminKey);
        hugeRequest.Headers.Add("Idempotency-Key", "huge");
        hugeRequest.Headers.ExpectContinue = true;
        using var huge = await _host.Client.SendAsync(hugeRequest);
        using var text = new HttpRequestMessage(HttpMethod.Post, "/v1/organisations/acme/reservations") { Content = new StringContent("x", Encoding.UTF8, "text/plain") };
        text.Headers.Authorization = new("Bearer", LedgerServerHost.AdminKey);
        text.Headers.Add("Idempotency-Key", "t");
        using var wrongType = await _host.Client.SendAsync(text);

        await LedgerServerHost.ProblemAsync(unknown, 404);
        await LedgerServerHost.ProblemAsync(method, 405);
        await LedgerServerHost.ProblemAsync(huge, 413);
        await LedgerServerHost.ProblemAsync(wrongType, 415);
    }

    [Fact]
    public async Task Sixty_four_concurrent_callers_never_overspend_a_wallet()
    {
        await _host.DefineWalletAsync("acme", "app:acme/race", "10");
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var callers = Enumerable.Range(0, 64).Select(i => Task.Run(async () =>
        {
            await gate.Task;
            using var reserve = await _host.SendAsync(HttpMethod.Post, "/v1/organisations/acme/reservations",
                new ReservationRequest(["app:acme/race", "org:acme"], "0.75", "USD", 60, "c" + i));
            if ((int)reserve.StatusCode != 201)
            {
                ((int)reserve.StatusCode).Should().Be(409);
                return 0m;
            }

            var id = System.Text.Json.JsonSerializer.Deserialize(await reserve.Content.ReadAsStringAsync(), LedgerJsonContext.Default.ReservationResponse)!.Id;
            var amount = (i % 4) * 0.25m;
            using var commit = await _host.SendAsync(HttpMethod.Post, $"/v1/organisations/acme/reservations/{id}/commit",
                new CommitRequest(amount.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            ((int)commit.StatusCode).Should().Be(200);
            return amount;
        })).ToArray();
        gate.SetResult();
        var committed = await Task.WhenAll(callers);

        var wallet = await _host.WalletAsync("acme", "app:acme/race");
        decimal.Parse(wallet.Spent, System.Globalization.CultureInfo.InvariantCulture).Should().Be(committed.Sum());
        wallet.Reserved.Should().Be("0");
        committed.Count(c => c >= 0).Should().Be(64);

        // Replay the wallet's history in commit order: held plus spent never went above the limit. (How many reserves
        // succeed depends on how the commits interleave with them: a commit gives back what it did not spend.)
        var history = (await _host.SendAsync<TransactionPage>(HttpMethod.Get, "/v1/organisations/acme/transactions?wallet=app:acme/race&limit=1000")).Items;
        decimal held = 0m, spent = 0m;
        foreach (var t in history.Where(t => t.Kind != "defined"))
        {
            held += t.Kind == "reserved" ? 0.75m : -0.75m;
            spent += decimal.Parse(t.SpendChange, System.Globalization.CultureInfo.InvariantCulture);
            (held + spent).Should().BeLessThanOrEqualTo(10m, $"the wallet's limit is 10 (after transaction {t.Sequence}, {t.Kind})");
        }

        history.Count(t => t.Kind == "reserved").Should().BeGreaterThanOrEqualTo(13, "at least 13 holds of 0.75 fit in 10 before any commit");
        held.Should().Be(0m);
        spent.Should().Be(committed.Sum());
    }

    [Fact]
    public async Task State_survives_a_restart_on_the_same_file()
    {
        var r = await _host.ReserveAsync("acme", "2", "org:acme");
        await _host.SendAsync<ReservationResponse>(HttpMethod.Post, $"/v1/organisations/acme/reservations/{r.Id}/commit", new CommitRequest("1.5"));
        var before = await FingerprintAsync();

        _host = await _host.RestartAsync();

        (await FingerprintAsync()).Should().Be(before);
        (await _host.WalletAsync("acme", "team:acme/search", _acmeSearchKey)).Id.Should().Be("team:acme/search");
        (await _host.SendAsync<ReservationResponse>(HttpMethod.Get, $"/v1/organisations/acme/reservations/{r.Id}")).Committed.Should().Be("1.5");
    }

    [Theory]
    [InlineData("--Ledger:Bogus=1", "Bogus")]
    [InlineData("--Ledger:MaxRequestBodyBytes=12", "MaxRequestBodyBytes")]
    [InlineData("--Ledger:Storage:Provider=oracle", "Provider")]
    [InlineData("--Ledger:AdminKey=short", "AdminKey")]
    [InlineData("--Ledger:Storage:Provider=postgres", "PostgresConnectionString")]
    public async Task Bad_configuration_fails_start_with_a_message_naming_the_key(string setting, string named)
    {
        var act = () => LedgerServerHost.StartAsync(settings: setting);

        (await act.Should().ThrowAsync<Exception>()).Which.ToString().Should().Contain(named);
    }
}
