using AiOrchestrator.Budgets;
using AiOrchestrator.Ledger.Client.Tests.FakeLedger;
using AiOrchestrator.Ledger.Client.Tests.TestDoubles;
using static AiOrchestrator.Ledger.Client.Tests.TestDoubles.Wallets;

namespace AiOrchestrator.Ledger.Client.Tests;

public sealed class IdempotencyTests : IAsyncLifetime
{
    private FakeLedgerServer _ledger = null!;
    private ClientUnderTest _client = null!;
    private IReadOnlyList<WalletId> _path = null!;

    public async Task InitializeAsync()
    {
        _ledger = await FakeLedgerServer.StartAsync();
        _ledger.State.AddWallet(Org.Value, 100m);
        _client = ClientUnderTest.Create(_ledger.Url);
        await _client.Ledger.RefreshWalletsAsync(default);
        _path = _client.Reservations.GetWalletPath(TeamScope);
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        await _ledger.DisposeAsync();
    }

    [Fact]
    public async Task A_retried_reserve_of_the_same_call_attempt_returns_the_first_reservation_and_holds_once()
    {
        var call = AiCallId.New(DateTimeOffset.UtcNow);
        var first = await _client.Reservations.ReserveAsync(call, 0, _path, Usd(0.3m));
        var outstanding = _client.Ledger.OutstandingLeases;

        var again = await _client.Reservations.ReserveAsync(call, 0, _path, Usd(0.3m));

        again.Should().BeSameAs(first);
        _client.Ledger.OutstandingLeases.Should().Be(outstanding);
        var conflicting = async () => await _client.Reservations.ReserveAsync(call, 0, _path, Usd(0.4m));
        await conflicting.Should().ThrowAsync<IdempotencyConflictException>();
    }

    [Fact]
    public async Task A_retried_settle_returns_the_first_settlement_and_records_the_spend_once()
    {
        var call = AiCallId.New(DateTimeOffset.UtcNow);
        var reservation = await _client.Reservations.ReserveAsync(call, 0, _path, Usd(0.3m));
        var first = await _client.Reservations.SettleAsync(call, 0, reservation, Usd(0.2m));

        var again = await _client.Reservations.SettleAsync(call, 0, reservation, Usd(0.2m));

        again.Should().BeSameAs(first);
        _client.Ledger.Outbox.Depth.Should().Be(1);
        var different = async () => await _client.Reservations.SettleAsync(call, 0, reservation, Usd(0.25m));
        await different.Should().ThrowAsync<IdempotencyConflictException>();
        var release = async () => await _client.Reservations.ReleaseAsync(call, 0, reservation);
        await release.Should().ThrowAsync<ReservationAlreadyResolvedException>();
        await _client.Ledger.UploadAsync(default);
        _ledger.State.Spent(Org.Value).Should().Be(0.2m);
    }

    [Fact]
    public async Task A_released_reservation_gives_its_hold_back_once_and_cannot_be_settled()
    {
        var before = AiCallId.New(DateTimeOffset.UtcNow);
        var warmUp = await _client.Reservations.ReserveAsync(before, 0, _path, Usd(0.1m));
        await _client.Reservations.ReleaseAsync(before, 0, warmUp);
        var outstanding = _client.Ledger.OutstandingLeases;
        var call = AiCallId.New(DateTimeOffset.UtcNow);
        var reservation = await _client.Reservations.ReserveAsync(call, 0, _path, Usd(0.3m));

        await _client.Reservations.ReleaseAsync(call, 0, reservation);
        await _client.Reservations.ReleaseAsync(call, 0, reservation);

        _client.Ledger.OutstandingLeases.Should().Be(outstanding);
        reservation.Status.Should().Be(ReservationStatus.Released);
        var settle = async () => await _client.Reservations.SettleAsync(call, 0, reservation, Usd(0.1m));
        await settle.Should().ThrowAsync<ReservationAlreadyResolvedException>();
        _client.Ledger.Outbox.Depth.Should().Be(0);
    }

    [Fact]
    public async Task A_reservation_neither_settled_nor_released_expires_gives_its_hold_back_and_a_late_settle_is_still_recorded()
    {
        await using var client = ClientUnderTest.Create(_ledger.Url, o => o.ReservationTimeout = TimeSpan.FromMilliseconds(50));
        await client.Ledger.RefreshWalletsAsync(default);
        var call = AiCallId.New(DateTimeOffset.UtcNow);
        var reservation = await client.Reservations.ReserveAsync(call, 0, _path, Usd(0.3m));
        var held = client.Ledger.OutstandingLeases;

        await Task.Delay(100);
        await client.Ledger.SyncAsync(default);

        reservation.Status.Should().Be(ReservationStatus.Expired);
        client.Ledger.OutstandingLeases.Should().Be(held + 0.3m);
        var late = await client.Reservations.SettleAsync(call, 0, reservation, Usd(0.2m));
        late.IsLate.Should().BeTrue();
        await client.Ledger.UploadAsync(default);
        _ledger.State.Records.Should().ContainSingle(r => r.Amount == "0.2");
    }

    [Fact]
    public async Task Bad_arguments_are_refused_and_hold_nothing()
    {
        var call = AiCallId.New(DateTimeOffset.UtcNow);
        var negative = async () => await _client.Reservations.ReserveAsync(call, 0, _path, Usd(-1m));
        var empty = async () => await _client.Reservations.ReserveAsync(call, 0, [], Usd(1m));
        var noCall = async () => await _client.Reservations.ReserveAsync(default, 0, _path, Usd(1m));

        await negative.Should().ThrowAsync<ArgumentOutOfRangeException>();
        await empty.Should().ThrowAsync<ArgumentException>();
        await noCall.Should().ThrowAsync<ArgumentException>().WithMessage("*call id is empty*");
        _ledger.State.LeaseTakes.Should().Be(0);
        var mismatch = () => _client.Reservations.GetAvailable(_path, "EUR");
        mismatch.Should().Throw<CurrencyMismatchException>();
    }
}
