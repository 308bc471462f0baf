namespace AiOrchestrator.Ledger.Server.Tests.Api;

public sealed class ReservationApiTests : IAsyncLifetime
{
    private LedgerServerHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await LedgerServerHost.StartAsync(fakeTime: true);
        await _host.CreateOrganisationAsync("acme");
        await _host.DefineWalletAsync("acme", "org:acme", "10");
        await _host.DefineWalletAsync("acme", "team:acme/search", "4");
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Reserve_then_commit_posts_the_actual_amount_and_releases_the_rest()
    {
        var reservation = await _host.ReserveAsync("acme", "3", "team:acme/search", "org:acme");
        reservation.Status.Should().Be("pending");
        (await _host.WalletAsync("acme", "org:acme")).Reserved.Should().Be("3");

        var committed = await _host.SendAsync<ReservationResponse>(HttpMethod.Post, $"/v1/organisations/acme/reservations/{reservation.Id}/commit", new CommitRequest("1.25"));

        committed.Status.Should().Be("committed");
        committed.Committed.Should().Be("1.25");
        foreach (var wallet in new[] { "org:acme", "team:acme/search" })
        {
            var w = await _host.WalletAsync("acme", wallet);
            w.Reserved.Should().Be("0");
            w.Spent.Should().Be("1.25");
        }

        (await _host.WalletAsync("acme", "team:acme/search")).Available.Should().Be("2.75");
    }

    [Fact]
    public async Task A_commit_above_the_reserved_amount_is_refused_and_changes_nothing()
    {
        var reservation = await _host.ReserveAsync("acme", "2", "org:acme");

        using var response = await _host.SendAsync(HttpMethod.Post, $"/v1/organisations/acme/reservations/{reservation.Id}/commit", new CommitRequest("2.01"));

        (await LedgerServerHost.ProblemAsync(response, 422)).GetProperty("type").GetString().Should().EndWith("commit-exceeds-reservation");
        (await _host.WalletAsync("acme", "org:acme")).Reserved.Should().Be("2");
    }

    [Fact]
    public async Task A_reservation_is_all_or_nothing_across_its_wallets()
    {
        using var response = await _host.SendAsync(HttpMethod.Post, "/v1/organisations/acme/reservations",
            new ReservationRequest(["team:acme/search", "org:acme"], "5", "USD", null, null));

        var problem = await LedgerServerHost.ProblemAsync(response, 409);
        problem.GetProperty("wallet").GetString().Should().Be("team:acme/search");
        problem.GetProperty("available").GetString().Should().Be("4");
        (await _host.WalletAsync("acme", "org:acme")).Reserved.Should().Be("0");
    }

    [Fact]
    public async Task Release_gives_the_hold_back_and_a_closed_reservation_cannot_change()
    {
        var reservation = await _host.ReserveAsync("acme", "2", "org:acme");

        var released = await _host.SendAsync<ReservationResponse>(HttpMethod.Post, $"/v1/organisations/acme/reservations/{reservation.Id}/release");
        using var again = await _host.SendAsync(HttpMethod.Post, $"/v1/organisations/acme/reservations/{reservation.Id}/commit", new CommitRequest("1"));

        released.Status.Should().Be("released");
        (await LedgerServerHost.ProblemAsync(again, 409)).GetProperty("holdStatus").GetString().Should().Be("released");
        var wallet = await _host.WalletAsync("acme", "org:acme");
        wallet.Reserved.Should().Be("0");
        wallet.Spent.Should().Be("0");
    }

    [Fact]
    public async Task An_expired_reservation_cannot_be_committed_and_its_hold_comes_back()
    {
        var reservation = await _host.ReserveAsync("acme", "2", "org:acme");
        _host.Time!.Advance(TimeSpan.FromSeconds(61));

        using var response = await _host.SendAsync(HttpMethod.Post, $"/v1/organisations/acme/reservations/{reservation.Id}/commit", new CommitRequest("1"));

        (await LedgerServerHost.ProblemAsync(response, 409)).GetProperty("type").GetString().Should().EndWith("hold-expired");
        (await _host.WalletAsync("acme", "org:acme")).Reserved.Should().Be("0");
        (await _host.SendAsync<ReservationResponse>(HttpMethod.Get, $"/v1/organisations/acme/reservations/{reservation.Id}")).Status.Should().Be("expired");
    }

    [Fact]
    public async Task The_sweeper_expires_pending_reservations_nobody_touches()
    {
        var reservation = await _host.ReserveAsync("acme", "2", "org:acme");
        _host.Time!.Advance(TimeSpan.FromSeconds(61));

        // The sweeper's timer runs on the fake clock: advancing it fires a pass; wait for the pass to land.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        WalletResponse wallet;
        do
        {
            _host.Time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(50);
            wallet = await _host.WalletAsync("acme", "org:acme");
        }
        while (wallet.Reserved != "0" && DateTime.UtcNow < deadline);

        wallet.Reserved.Should().Be("0");
        var page = await _host.SendAsync<TransactionPage>(HttpMethod.Get, "/v1/organisations/acme/transactions?wallet=org:acme");
        page.Items.Should().Contain(t => t.Kind == "expired" && t.Reference == reservation.Id);
    }

    [Fact]
    public async Task Top_ups_add_allowance_and_refunds_give_spend_back()
    {
        await _host.SendAsync<WalletResponse>(HttpMethod.Post, "/v1/organisations/acme/top-ups", new WalletAmountRequest("org:acme", "5", "USD", "bonus"));
        var r = await _host.ReserveAsync("acme", "12", "org:acme");
        await _host.SendAsync<ReservationResponse>(HttpMethod.Post, $"/v1/organisations/acme/reservations/{r.Id}/commit", new CommitRequest("12"));

        var refunded = await _host.SendAsync<WalletResponse>(HttpMethod.Post, "/v1/organisations/acme/refunds", new WalletAmountRequest("org:acme", "2", "USD", "bad answer"));
        using var tooMuch = await _host.SendAsync(HttpMethod.Post, "/v1/organisations/acme/refunds", new WalletAmountRequest("org:acme", "11", "USD", null));

        refunded.TopUps.Should().Be("5");
        refunded.Spent.Should().Be("10");
        refunded.Available.Should().Be("5");
        await LedgerServerHost.ProblemAsync(tooMuch, 409);
    }

    [Fact]
    public async Task A_new_period_starts_with_no_spend()
    {
        await _host.DefineWalletAsync("acme", "app:acme/bot", "3", period: "day");
        var r = await _host.ReserveAsync("acme", "3", "app:acme/bot");
        await _host.SendAsync<ReservationResponse>(HttpMethod.Post, $"/v1/organisations/acme/reservations/{r.Id}/commit", new CommitRequest("3"));
        (await _host.WalletAsync("acme", "app:acme/bot")).Available.Should().Be("0");

        _host.Time!.Advance(TimeSpan.FromDays(1));

        var wallet = await _host.WalletAsync("acme", "app:acme/bot");
        wallet.Spent.Should().Be("0");
        wallet.Available.Should().Be("3");
        wallet.PeriodStart.Should().Be(new DateTimeOffset(2025, 6, 11, 0, 0, 0, TimeSpan.Zero));
    }

    [Fact]
    public async Task History_pages_oldest_first()
    {
        for (var i = 0; i < 5; i++)
        {
            await _host.ReserveAsync("acme", "0.1", "org:acme");
        }

        var first = await _host.SendAsync<TransactionPage>(HttpMethod.Get, "/v1/organisations/acme/transactions?wallet=org:acme&limit=3");
        var second = await _host.SendAsync<TransactionPage>(HttpMethod.Get, $"/v1/organisations/acme/transactions?wallet=org:acme&limit=3&after={first.Next}");

        first.Items.Should().HaveCount(3);
        first.Items[0].Kind.Should().Be("defined");
        second.Items.Should().HaveCount(3);
        second.Items.Select(t => t.Sequence).Should().BeInAscendingOrder().And.OnlyContain(s => s > first.Next);
    }

    [Fact]
    public async Task Idempotency_key_replays_the_first_response_and_refuses_a_different_request()
    {
        var body = new ReservationRequest(["org:acme"], "1", "USD", null, null);
        using var first = await _host.SendAsync(HttpMethod.Post, "/v1/organisations/acme/reservations", body, idempotencyKey: "same");
        using var replay = await _host.SendAsync(HttpMethod.Post, "/v1/organisations/acme/reservations", body, idempotencyKey: "same");
        using var different = await _host.SendAsync(HttpMethod.Post, "/v1/organisations/acme/reservations", body with { Amount = "2" }, idempotencyKey: "same");
        using var missing = await _host.SendAsync(HttpMethod.Post, "/v1/organisations/acme/reservations", body, idempotencyKey: "");

        ((int)first.StatusCode).Should().Be(201);
        ((int)replay.StatusCode).Should().Be(201);
        replay.Headers.GetValues("Idempotent-Replayed").Should().Equal("true");
        (await replay.Content.ReadAsStringAsync()).Should().Be(await first.Content.ReadAsStringAsync());
        await LedgerServerHost.ProblemAsync(different, 422);
        await LedgerServerHost.ProblemAsync(missing, 400);
        (await _host.WalletAsync("acme", "org:acme")).Reserved.Should().Be("1");
    }

    [Fact]
    public async Task A_rejected_reservation_stays_rejected_for_its_key()
    {
        var body = new ReservationRequest(["org:acme"], "11", "USD", null, null);
        using var first = await _host.SendAsync(HttpMethod.Post, "/v1/organisations/acme/reservations", body, idempotencyKey: "k");
        await _host.SendAsync<WalletResponse>(HttpMethod.Post, "/v1/organisations/acme/top-ups", new WalletAmountRequest("org:acme", "5", "USD", null));

        using var retry = await _host.SendAsync(HttpMethod.Post, "/v1/organisations/acme/reservations", body, idempotencyKey: "k");

        await LedgerServerHost.ProblemAsync(first, 409);
        await LedgerServerHost.ProblemAsync(retry, 409);
        (await _host.WalletAsync("acme", "org:acme")).Reserved.Should().Be("0");
    }

    [Fact]
    public async Task Health_needs_no_key_and_the_openapi_document_names_every_operation()
    {
        using var health = await _host.Client.GetAsync("/health");
        using var document = await _host.Client.GetAsync("/openapi/v1.json");

        ((int)health.StatusCode).Should().Be(200);
        var json = System.Text.Json.JsonDocument.Parse(await document.Content.ReadAsStringAsync()).RootElement;
        var operations = json.GetProperty("paths").EnumerateObject().SelectMany(p => p.Value.EnumerateObject()).ToList();
        operations.Should().HaveCountGreaterThanOrEqualTo(25);
        operations.Where(o => !o.Value.TryGetProperty("operationId", out var id) || !o.Value.TryGetProperty("summary", out var s)).Should().BeEmpty();
    }
}
