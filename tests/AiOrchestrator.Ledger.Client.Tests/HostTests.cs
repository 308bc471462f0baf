using AiOrchestrator.Budgets;
using AiOrchestrator.Ledger.Client.Tests.FakeLedger;
using AiOrchestrator.Ledger.Client.Tests.TestDoubles;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using static AiOrchestrator.Ledger.Client.Tests.TestDoubles.Wallets;

namespace AiOrchestrator.Ledger.Client.Tests;

public sealed class HostTests : IAsyncLifetime
{
    private FakeLedgerServer _ledger = null!;

    public async Task InitializeAsync()
    {
        _ledger = await FakeLedgerServer.StartAsync();
        _ledger.State.AddWallet(Org.Value, 100m);
    }

    public async Task DisposeAsync() => await _ledger.DisposeAsync();

    [Fact]
    public async Task Stopping_the_host_uploads_the_outbox_and_returns_the_leases()
    {
        await using var client = ClientUnderTest.Create(_ledger.Url, o =>
        {
            o.UploadInterval = TimeSpan.FromHours(1);
            o.SyncInterval = TimeSpan.FromHours(1);
        });
        await client.StartAsync();
        client.Ledger.WalletsLoaded.Should().BeTrue("the wallets are read at start");
        await LeaseSpendingTests.SpendAsync(client, client.Reservations.GetWalletPath(TeamScope), 0.2m, count: 3);

        await client.StopAsync();

        _ledger.State.RecordedSpend().Should().Be(0.6m);
        _ledger.State.LeaseReturns.Should().Be(1);
        _ledger.State.Leased(Org.Value, DateTimeOffset.UtcNow).Should().Be(0m);
    }

    [Fact]
    public async Task The_background_work_uploads_usage_while_the_host_runs()
    {
        await using var client = ClientUnderTest.Create(_ledger.Url, o =>
        {
            o.UploadInterval = TimeSpan.FromMilliseconds(50);
            o.SyncInterval = TimeSpan.FromMilliseconds(20);
        });
        await client.StartAsync();
        await LeaseSpendingTests.SpendAsync(client, client.Reservations.GetWalletPath(TeamScope), 0.2m, count: 2);

        var deadline = DateTimeOffset.UtcNow.AddSeconds(20);
        while (_ledger.State.RecordedSpend() < 0.4m && DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        _ledger.State.RecordedSpend().Should().Be(0.4m);
        await client.StopAsync();
    }

    [Fact]
    public async Task Invalid_options_fail_at_start_with_a_message_naming_the_key()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddAiOrchestrator(o => o.StorePath = ":memory:")
            .UseLedger(o =>
            {
                o.Url = new Uri("ftp://ledger/");
                o.Organisation = "acme";
                o.FallbackAllowance = -1m;
            });
        using var host = builder.Build();

        var start = () => host.StartAsync();

        var error = (await start.Should().ThrowAsync<OptionsValidationException>()).Which;
        error.Message.Should().Contain("AiOrchestrator:Ledger:Url").And.Contain("AiOrchestrator:Ledger:ApiKey").And.Contain("AiOrchestrator:Ledger:FallbackAllowance");
    }

    [Fact]
    public async Task Configuration_is_bound_strictly_an_unknown_key_fails_at_start()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AiOrchestrator:Ledger:Url"] = _ledger.Url.AbsoluteUri,
            ["AiOrchestrator:Ledger:ApiKey"] = FakeLedgerState.ApiKey,
            ["AiOrchestrator:Ledger:Organisation"] = "acme",
            ["AiOrchestrator:Ledger:FallbackAlowance"] = "0.5",
        }).Build();
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddAiOrchestrator(o => o.StorePath = ":memory:").UseLedger(configuration);
        using var host = builder.Build();

        var start = () => host.StartAsync();

        (await start.Should().ThrowAsync<OptionsValidationException>()).Which.Message.Should().Contain("FallbackAlowance");
    }

    [Fact]
    public async Task Configuration_binds_the_options_and_the_budget_stage_uses_the_leased_ledger()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AiOrchestrator:StorePath"] = ":memory:",
            ["AiOrchestrator:Ledger:Url"] = _ledger.Url.AbsoluteUri,
            ["AiOrchestrator:Ledger:ApiKey"] = FakeLedgerState.ApiKey,
            ["AiOrchestrator:Ledger:Organisation"] = "acme",
            ["AiOrchestrator:Ledger:Fallback"] = "Allowance",
            ["AiOrchestrator:Ledger:FallbackAllowance"] = "0.5",
        }).Build();
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddAiOrchestrator(configuration).UseLedger(configuration);
        using var host = builder.Build();
        await host.StartAsync();

        var options = host.Services.GetRequiredService<IOptions<LedgerClientOptions>>().Value;
        options.Fallback.Should().Be(LedgerFallback.Allowance);
        options.FallbackAllowance.Should().Be(0.5m);
        host.Services.GetRequiredService<IBudgetReservations>().GetType().Name.Should().Be("LeasedBudgetLedger");
        await host.StopAsync();
    }

    [Fact]
    public async Task A_wrong_api_key_is_reported_as_a_refusal_that_names_the_setting_to_fix()
    {
        await using var client = ClientUnderTest.Create(_ledger.Url, apiKey: "not-the-key");

        var refresh = async () => await client.Ledger.RefreshWalletsAsync(default);

        var error = (await refresh.Should().ThrowAsync<LedgerRequestException>()).Which;
        error.StatusCode.Should().Be(401);
        error.IsUnreachable.Should().BeFalse();
        error.Message.Should().Contain("AiOrchestrator:Ledger:ApiKey");
    }
}
