using AiOrchestrator.Budgets;
using Microsoft.Extensions.Time.Testing;
using static AiOrchestrator.Tests.Budgets.TestLedgers;

namespace AiOrchestrator.Tests.Budgets;

/// <summary>
/// A journal that contradicts itself is refused on replay with a message that names the record and what it
/// contradicts (reservation, wallet, call, amounts), so the operator can find it; the ledger adds file and offset.
/// </summary>
public sealed class ReplayErrorTests
{
    private static readonly long T0 = Start.UtcTicks;
    private static readonly CallKey Call = new(Guid.Parse("0123456789abcdef0123456789abcdef"), 2);

    private static LedgerState StateWithUser()
    {
        var state = new LedgerState(TimeSpan.FromMinutes(15));
        state.Apply(new JournalEntry
        {
            Kind = JournalEntryKind.Define, Sequence = 1, Ticks = T0, Wallet = User,
            Payload = new WalletDefinition(User, new BudgetLimit(Usd(10m), BudgetPeriod.Month)),
        });
        return state;
    }

    private static JournalEntry Reserve(long sequence, long id, CallKey call = default)
        => new() { Kind = JournalEntryKind.Reserve, Sequence = sequence, Ticks = T0, ReservationId = id, Extra = T0 + TimeSpan.TicksPerMinute, Amount = 1m, Currency = "USD", Wallets = [User], Call = call };

    private static string Refuse(LedgerState state, JournalEntry entry)
    {
        var apply = () => state.Apply(entry);
        return apply.Should().Throw<InvalidDataException>().Which.Message;
    }

    [Fact]
    public void A_refund_above_the_spend_names_the_amount_the_wallet_the_spend_and_the_record()
        => Refuse(StateWithUser(), new JournalEntry { Kind = JournalEntryKind.Refund, Sequence = 2, Ticks = T0, Wallet = User, Amount = 5m })
            .Should().Be($"The budget journal refunds 5 to wallet '{User}', which has spent only 0 (record 2).");

    [Fact]
    public void A_record_of_unknown_kind_names_the_kind()
        => Refuse(StateWithUser(), new JournalEntry { Kind = (JournalEntryKind)99, Sequence = 2, Ticks = T0 })
            .Should().Be("The budget journal has a record of unknown kind 99.");

    [Fact]
    public void A_gap_in_the_sequence_names_both_records()
        => Refuse(StateWithUser(), new JournalEntry { Kind = JournalEntryKind.TopUp, Sequence = 7, Ticks = T0, Wallet = User, Amount = 1m })
            .Should().Be("The budget journal's record 7 follows record 1: records are missing or repeated.");

    [Fact]
    public void A_wallet_never_defined_is_named_with_the_record_and_its_kind()
    {
        var ghost = WalletId.ForApp("acme", "ghost");
        Refuse(StateWithUser(), new JournalEntry { Kind = JournalEntryKind.TopUp, Sequence = 2, Ticks = T0, Wallet = ghost, Amount = 1m })
            .Should().Be($"The budget journal's record 2 (TopUp) names wallet '{ghost}', which was never defined.");
    }

    [Fact]
    public void A_reservation_made_twice_is_named_with_the_record()
    {
        var state = StateWithUser();
        state.Apply(Reserve(2, 1));
        Refuse(state, Reserve(3, 1)).Should().Be("The budget journal makes reservation 1 twice (record 3).");
    }

    [Fact]
    public void Resolving_a_reservation_that_is_not_pending_names_the_reservation()
    {
        var state = StateWithUser();
        Refuse(state, new JournalEntry { Kind = JournalEntryKind.Release, Sequence = 2, Ticks = T0, ReservationId = 7 })
            .Should().Be("The budget journal resolves reservation 7, which is not pending.");
    }

    [Fact]
    public void A_late_settle_of_a_reservation_still_pending_is_refused_and_names_it()
    {
        var state = StateWithUser();
        state.Apply(Reserve(2, 1));
        Refuse(state, new JournalEntry { Kind = JournalEntryKind.LateSettle, Sequence = 3, Ticks = T0, ReservationId = 1, Amount = 1m, Currency = "USD", Wallets = [User], Held = 1m })
            .Should().Be("The budget journal settles reservation 1 late (record 3), but it is not expired.");
        state.TryGetWallet(User, out var user).Should().BeTrue();
        user.Spent.Should().Be(0m, "nothing of the refused record is applied");
    }

    [Fact]
    public void A_late_settle_of_an_unknown_reservation_is_refused_and_names_it()
        => Refuse(StateWithUser(), new JournalEntry { Kind = JournalEntryKind.LateSettle, Sequence = 2, Ticks = T0, ReservationId = 9, Amount = 1m, Currency = "USD", Wallets = [User] })
            .Should().Be("The budget journal settles reservation 9 late (record 2), but it is not expired.");

    [Fact]
    public void A_late_settle_without_wallets_names_the_record()
    {
        var state = StateWithUser();
        state.Apply(Reserve(2, 1));
        state.Apply(new JournalEntry { Kind = JournalEntryKind.Expire, Sequence = 3, Ticks = T0, ReservationId = 1 });
        Refuse(state, new JournalEntry { Kind = JournalEntryKind.LateSettle, Sequence = 4, Ticks = T0, ReservationId = 1, Amount = 1m, Currency = "USD" })
            .Should().Be("The budget journal's late settle 4 names no wallets.");
    }

    [Fact]
    public void A_call_reserved_twice_names_the_call_attempt_and_record()
    {
        var state = StateWithUser();
        state.Apply(Reserve(2, 1, Call));
        Refuse(state, Reserve(3, 2, Call))
            .Should().Be("The budget journal reserves call 0123456789abcdef0123456789abcdef attempt 2 twice (record 3).");
    }

    [Fact]
    public void A_call_resolved_twice_names_the_call_the_reservation_and_both_states()
    {
        var state = StateWithUser();
        state.Apply(Reserve(2, 1, Call));
        state.Apply(new JournalEntry { Kind = JournalEntryKind.Settle, Sequence = 3, Ticks = T0, ReservationId = 1, Amount = 1m, Currency = "USD" });
        Refuse(state, new JournalEntry { Kind = JournalEntryKind.LateSettle, Sequence = 4, Ticks = T0, ReservationId = 1, Amount = 1m, Currency = "USD", Wallets = [User], Held = 1m, Call = Call })
            .Should().Be("The budget journal resolves call 0123456789abcdef0123456789abcdef attempt 2 reservation 1 (record 4) as LateSettled, "
                + "but that call is Settled for reservation 1.");
        state.TryGetWallet(User, out var user).Should().BeTrue();
        user.Spent.Should().Be(1m, "the settle is counted once");
    }

    [Fact]
    public void A_call_resolved_for_another_reservation_is_refused()
    {
        var state = StateWithUser();
        state.Apply(Reserve(2, 1, Call));
        state.Apply(new JournalEntry { Kind = JournalEntryKind.Expire, Sequence = 3, Ticks = T0, ReservationId = 1 });
        Refuse(state, new JournalEntry { Kind = JournalEntryKind.LateSettle, Sequence = 4, Ticks = T0, ReservationId = 5, Amount = 1m, Currency = "USD", Wallets = [User], Held = 1m, Call = Call })
            .Should().Contain("but that call is Expired for reservation 1");
    }

    [Fact]
    public async Task Opening_a_contradicting_journal_names_the_file_the_offset_and_the_reservation()
    {
        using var journal = new TempJournal();
        var time = new FakeTimeProvider(Start);
        long next;
        await using (var ledger = Create(time, Options(path: journal)))
        {
            var r = await ledger.ReserveAsync([User], Usd(1m), "r");
            next = (await ledger.ReleaseAsync(r.Id, "x")).Sequence + 1;
        }

        File.Delete(journal.Path + ".snapshot");
        var buffer = new JournalBuffer();
        JournalCodec.Write(buffer, new JournalEntry { Kind = JournalEntryKind.Release, Sequence = next, Ticks = T0, ReservationId = 1 });
        var offset = new FileInfo(journal.Path).Length;
        await using (var stream = new FileStream(journal.Path, FileMode.Append))
        {
            await stream.WriteAsync(buffer.Written.ToArray());
        }

        var open = () => Create(time, Options(path: journal));
        open.Should().Throw<JournalCorruptedException>().Which.Message.Should()
            .Contain($"'{journal.Path}'").And.Contain($"offset {offset}").And.Contain("resolves reservation 1, which is not pending");
    }

    [Fact]
    public void A_snapshot_of_a_newer_version_is_refused_as_written_by_a_newer_release()
    {
        var read = () => LedgerState.ReadSnapshot([3, 0, 0, 0, 0, 0, 0, 0, 0], TimeSpan.FromMinutes(15));
        read.Should().Throw<InvalidDataException>().WithMessage("*unknown version*newer AiOrchestrator*");
    }

    [Fact]
    public void A_snapshot_with_an_outcome_of_unknown_kind_is_refused()
    {
        var buffer = new JournalBuffer();
        buffer.WriteByte(2);
        buffer.WriteInt64(0);
        buffer.WriteInt64(0);
        buffer.WriteInt32(0);
        buffer.WriteInt32(0);
        buffer.WriteInt32(1);
        buffer.WriteString("key");
        buffer.WriteByte(9);
        var bytes = buffer.Written.ToArray();
        var read = () => LedgerState.ReadSnapshot(bytes, TimeSpan.FromMinutes(15));
        read.Should().Throw<InvalidDataException>().WithMessage("The budget snapshot has an outcome of unknown kind.");
    }
}
