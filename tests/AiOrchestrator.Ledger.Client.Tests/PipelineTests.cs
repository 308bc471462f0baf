using AiOrchestrator.Budgets;
using AiOrchestrator.Ledger.Client.Tests.FakeLedger;
using AiOrchestrator.Ledger.Client.Tests.TestDoubles;
using AiOrchestrator.Metering;
using AiOrchestrator.Tests.TestDoubles;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using static AiOrchestrator.Ledger.Client.Tests.TestDoubles.Wallets;

namespace AiOrchestrator.Ledger.Client.Tests;

public sealed class PipelineTests : IAsyncLifetime
{
    private FakeLedgerServer _ledger = null!;

    public async Task InitializeAsync()
    {
        _ledger = await FakeLedgerServer.StartAsync();
        _ledger.State.AddWallet(Org.Value, 100m);
        _ledger.State.AddWallet(Team.Value, 100m);
    }

    public async Task DisposeAsync() => await _ledger.DisposeAsync();

    [Fact]
    public async Task Calls_through_the_pipeline_spend_from_leases_and_the_ledger_gets_each_call_with_its_model_tokens_and_scope()
    {
        await using var client = ClientUnderTest.Create(_ledger.Url);
        await client.Ledger.RefreshWalletsAsync(default);
        var provider = new TestChatClient
        {
            GetResponseAsyncCallback = (_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok"))
            {
                ModelId = "gpt-4o",
                Usage = new UsageDetails { InputTokenCount = 1000, OutputTokenCount = 200 },
            }),
        };
        var chat = new ChatClientBuilder(provider).UseAiOrchestrator().Build(client.Services);

        using (AiScope.Begin(TeamScope))
        {
            for (var i = 0; i < 4; i++)
            {
                await chat.GetResponseAsync("hello", new ChatOptions { ModelId = "gpt-4o", MaxOutputTokens = 500 });
            }
        }

        await client.Ledger.UploadAsync(default);
        var store = client.Services.GetRequiredService<IUsageStore>();
        await store.FlushAsync();
        var local = await store.GetRecordsAsync(new SpendQuery());
        var localCost = local.Sum(r => r.Cost.Amount);
        localCost.Should().BeGreaterThan(0m);
        _ledger.State.Records.Should().HaveCount(4).And.OnlyContain(r =>
            r.Model == "gpt-4o" && r.Provider == "openai" && r.InputTokens == 1000 && r.OutputTokens == 200 && r.Scope!.Contains("search") && r.Lease != null);
        _ledger.State.RecordedSpend().Should().Be(localCost, "the ledger receives exactly what the local meter priced");
        _ledger.State.Spent(Org.Value).Should().Be(localCost);
        _ledger.State.LeaseTakes.Should().Be(1);
    }

    [Fact]
    public async Task A_pipeline_call_the_leases_cannot_cover_with_the_ledger_down_is_refused_before_it_is_sent()
    {
        await using var client = ClientUnderTest.Create(_ledger.Url);
        await client.Ledger.RefreshWalletsAsync(default);
        await _ledger.StopAsync();
        var provider = new TestChatClient
        {
            GetResponseAsyncCallback = (_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok")) { ModelId = "gpt-4o" }),
        };
        var chat = new ChatClientBuilder(provider).UseAiOrchestrator().Build(client.Services);

        var call = async () =>
        {
            using (AiScope.Begin(TeamScope))
            {
                await chat.GetResponseAsync("hello", new ChatOptions { ModelId = "gpt-4o", MaxOutputTokens = 500 });
            }
        };

        (await call.Should().ThrowAsync<BudgetExceededException>()).Which.Message.Should().Contain("cannot be reached");
        provider.Calls.Should().Be(0);
    }
}
