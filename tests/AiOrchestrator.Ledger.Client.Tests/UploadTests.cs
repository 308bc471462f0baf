using AiOrchestrator.Budgets;
using AiOrchestrator.Ledger.Client.Tests.FakeLedger;
using AiOrchestrator.Ledger.Client.Tests.TestDoubles;
using static AiOrchestrator.Ledger.Client.Tests.TestDoubles.Wallets;

namespace AiOrchestrator.Ledger.Client.Tests;

public sealed class UploadTests : IAsyncLifetime
{
    private FakeLedgerServer _ledger = null!;

    public async Task InitializeAsync()
    {
        _ledger = await FakeLedgerServer.StartAsync();
        _ledger.State.AddWallet(Org.Value, 1000m);
    }

    public async Task DisposeAsync() => await _ledger.DisposeAsync();

    [Fact]
    public async Task A_batch_whose_reply_was_lost_is_sent_again_unchanged_and_applied_once()
    {
        await using var client = ClientUnderTest.Create(_ledger.Url);
        await client.Ledger.RefreshWalletsAsync(default);
        var path = client.Reservations.GetWalletPath(TeamScope);
        await LeaseSpendingTests.SpendAsync(client, path, 0.1m, count: 3);
        _ledger.State.LoseUsageReplies = 1;

        await client.Ledger.UploadAsync(default);

        _ledger.State.Records.Should().HaveCount(3);
        _ledger.State.Spent(Org.Value).Should().Be(0.3m);
        _ledger.State.Sequences[client.Ledger.Outbox.Source].Should().Be(1);
        client.Ledger.Outbox.Depth.Should().Be(0);
    }

    [Fact]
    public async Task Batches_go_in_sequence_and_a_ledger_that_expects_an_earlier_sequence_gets_the_pending_batch_under_it()
    {
        await using var client = ClientUnderTest.Create(_ledger.Url, o => o.UploadBatchSize = 2);
        await client.Ledger.RefreshWalletsAsync(default);
        var path = client.Reservations.GetWalletPath(TeamScope);
        await LeaseSpendingTests.SpendAsync(client, path, 0.1m, count: 5);
        await client.Ledger.UploadAsync(default);
        var source = client.Ledger.Outbox.Source;
        _ledger.State.Sequences[source].Should().Be(3, "five records in batches of two");

        // The ledger lost its last batch (restored from an older backup): it expects 3 again, the client sends 4.
        lock (_ledger.State.Gate)
        {
            _ledger.State.Sequences[source] = 2;
        }

        await LeaseSpendingTests.SpendAsync(client, path, 0.1m, count: 1);
        await client.Ledger.UploadAsync(default);

        _ledger.State.Sequences[source].Should().Be(3);
        _ledger.State.Records.Should().HaveCount(6);
        client.Ledger.Outbox.Depth.Should().Be(0);
    }

    [Fact]
    public async Task Settled_spend_survives_a_restart_of_the_process_and_is_uploaded_by_the_next_run_under_the_same_source()
    {
        var store = ClientUnderTest.NewStorePath();
        try
        {
            string source;
            await using (var first = ClientUnderTest.Create(_ledger.Url, storePath: store))
            {
                await first.Ledger.RefreshWalletsAsync(default);
                await LeaseSpendingTests.SpendAsync(first, first.Reservations.GetWalletPath(TeamScope), 0.1m, count: 2);
                await first.Ledger.UploadAsync(default);
                await LeaseSpendingTests.SpendAsync(first, first.Reservations.GetWalletPath(TeamScope), 0.1m, count: 3);
                source = first.Ledger.Outbox.Source;
            }

            await using var second = ClientUnderTest.Create(_ledger.Url, storePath: store);
            second.Ledger.Outbox.Source.Should().Be(source);
            second.Ledger.Outbox.Depth.Should().Be(3);

            (await second.Ledger.UploadAsync(default)).Should().Be(3);
            _ledger.State.Records.Should().HaveCount(5);
            _ledger.State.Sequences[source].Should().Be(2);
            _ledger.State.Spent(Org.Value).Should().Be(0.5m);
        }
        finally
        {
            ClientUnderTest.DeleteStore(store);
        }
    }

    [Fact]
    public async Task A_full_outbox_refuses_new_calls_with_a_message_that_says_why_and_settles_the_ones_in_flight()
    {
        await using var client = ClientUnderTest.Create(_ledger.Url, o =>
        {
            o.UploadBatchSize = 2;
            o.OutboxCapacity = 2;
        });
        await client.Ledger.RefreshWalletsAsync(default);
        var path = client.Reservations.GetWalletPath(TeamScope);
        var inFlight = AiCallId.New(DateTimeOffset.UtcNow);
        var reservation = await client.Reservations.ReserveAsync(inFlight, 0, path, Usd(0.1m));
        await LeaseSpendingTests.SpendAsync(client, path, 0.1m, count: 2);

        var refused = async () => await client.Reservations.ReserveAsync(AiCallId.New(DateTimeOffset.UtcNow), 0, path, Usd(0.1m));

        (await refused.Should().ThrowAsync<BudgetExceededException>()).Which.Message.Should().Contain("OutboxCapacity");
        await client.Reservations.SettleAsync(inFlight, 0, reservation, Usd(0.1m));
        client.Ledger.Outbox.Depth.Should().Be(3);
        await client.Ledger.UploadAsync(default);
        await LeaseSpendingTests.SpendAsync(client, path, 0.1m, count: 1);
        _ledger.State.Records.Should().HaveCount(3);
    }
}
