using System.Buffers.Binary;
using AiOrchestrator.Budgets;
using Microsoft.Extensions.Time.Testing;
using static AiOrchestrator.Tests.Budgets.TestLedgers;

namespace AiOrchestrator.Tests.Budgets;

/// <summary>Damage in the journal is refused and repairable; only a torn last record is cut off.</summary>
public sealed class JournalIntegrityTests
{
    private static async Task<long> WriteJournalAsync(string path, int calls, FakeTimeProvider time)
    {
        await using var ledger = Create(time, Options(path: path));
        for (var i = 0; i < calls; i++)
        {
            var r = await ledger.ReserveAsync([User], Usd(0.1m), $"r{i}");
            await (await ledger.SettleAsync(r.Id, Usd(0.1m), $"s{i}")).Durable;
        }

        return new FileInfo(path).Length;
    }

    /// <summary>The offsets where the records of a journal start.</summary>
    private static List<long> RecordOffsets(byte[] bytes)
    {
        var offsets = new List<long>();
        for (var at = 16; at + 8 <= bytes.Length; at += 8 + BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(at)))
        {
            offsets.Add(at);
        }

        return offsets;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_flipped_byte_mid_journal_refuses_to_open_names_the_offset_and_cuts_nothing(bool withSnapshot)
    {
        using var journal = new TempJournal();
        var time = new FakeTimeProvider(Start);
        await WriteJournalAsync(journal, 10, time);
        if (!withSnapshot)
        {
            File.Delete(journal.Path + ".snapshot");
        }

        var bytes = await File.ReadAllBytesAsync(journal.Path);
        var offsets = RecordOffsets(bytes);
        var damaged = offsets[offsets.Count / 2];
        bytes[damaged + 20] ^= 0x40;
        await File.WriteAllBytesAsync(journal.Path, bytes);

        if (withSnapshot)
        {
            // The snapshot covers the damage, so the ledger opens with the right balance, but history must not
            // silently stop at the damaged record.
            await using var ledger = Create(time, Options(path: journal));
            ledger.GetWallet(User).Spent.Should().Be(Usd(1m));
            var history = async () => await ledger.GetHistoryAsync(User);
            (await history.Should().ThrowAsync<JournalCorruptedException>()).Which.Offset.Should().Be(damaged);
        }
        else
        {
            var open = () => Create(time, Options(path: journal));
            var error = open.Should().Throw<JournalCorruptedException>().Which;
            error.Path.Should().Be(journal.Path);
            error.Offset.Should().Be(damaged);
            error.Message.Should().Contain(journal.Path).And.Contain(damaged.ToString(System.Globalization.CultureInfo.InvariantCulture)).And.Contain("RepairJournal");
        }

        (await File.ReadAllBytesAsync(journal.Path)).Should().Equal(bytes, "nothing is truncated or rewritten");
    }

    [Fact]
    public async Task Repair_keeps_a_copy_and_the_records_before_the_damage()
    {
        using var journal = new TempJournal();
        var time = new FakeTimeProvider(Start);
        await WriteJournalAsync(journal, 10, time);
        File.Delete(journal.Path + ".snapshot");
        var bytes = await File.ReadAllBytesAsync(journal.Path);
        var offsets = RecordOffsets(bytes);
        var damaged = offsets[^4];
        bytes[damaged + 9] ^= 0xFF;
        await File.WriteAllBytesAsync(journal.Path, bytes);

        var report = BudgetLedger.RepairJournal(journal.Path);
        report.DamageOffset.Should().Be(damaged);
        report.KeptBytes.Should().Be(damaged);
        report.DroppedBytes.Should().Be(bytes.Length - damaged);
        report.BackupPath.Should().StartWith(journal.Path + ".corrupt-");
        (await File.ReadAllBytesAsync(report.BackupPath!)).Should().Equal(bytes);
        new FileInfo(journal.Path).Length.Should().Be(damaged);

        await using var ledger = Create(time, Options(path: journal));
        ledger.GetWallet(User).Spent.Amount.Should().BeLessThan(1m);
        await LedgerInvariants.AssertHoldAsync(ledger);
        BudgetLedger.RepairJournal(journal.Path + "-other").BackupPath.Should().BeNull("an intact (here: new) journal needs no repair");
    }

    [Fact]
    public async Task A_torn_last_record_with_a_flipped_byte_is_still_cut_off()
    {
        using var journal = new TempJournal();
        var time = new FakeTimeProvider(Start);
        await WriteJournalAsync(journal, 3, time);
        var bytes = await File.ReadAllBytesAsync(journal.Path);
        var last = RecordOffsets(bytes)[^1];
        bytes[^3] ^= 0x10;
        await File.WriteAllBytesAsync(journal.Path, bytes);
        File.Delete(journal.Path + ".snapshot");

        await using (var ledger = Create(time, Options(path: journal)))
        {
            ledger.GetWallet(User).Spent.Should().Be(Usd(0.2m));
            ledger.GetWallet(User).Reserved.Should().Be(Usd(0m), "the reservation whose settle was torn is released on recovery");
            await LedgerInvariants.AssertHoldAsync(ledger);
        }

        var after = await File.ReadAllBytesAsync(journal.Path);
        after.AsSpan(0, (int)last).SequenceEqual(bytes.AsSpan(0, (int)last)).Should().BeTrue("the records before the torn one are kept");
        RecordOffsets(after).Should().HaveCount(RecordOffsets(bytes).Count, "the torn settle was replaced by the recovery's release");
    }

    [Fact]
    public async Task A_file_that_is_not_a_journal_is_refused_and_never_overwritten()
    {
        using var journal = new TempJournal();
        Directory.CreateDirectory(Path.GetDirectoryName(journal.Path)!);
        var text = "name,amount\nalice,3\nbob,5\n"u8.ToArray();
        await File.WriteAllBytesAsync(journal.Path, text);
        var open = () => Create(new FakeTimeProvider(Start), Options(path: journal));
        open.Should().Throw<InvalidDataException>().WithMessage("*not a budget journal*");
        (await File.ReadAllBytesAsync(journal.Path)).Should().Equal(text);
    }

    [Fact]
    public async Task A_journal_written_before_the_header_existed_is_still_read()
    {
        using var journal = new TempJournal();
        Directory.CreateDirectory(Path.GetDirectoryName(journal.Path)!);
        var buffer = new JournalBuffer();
        var definition = new WalletDefinition(User, new BudgetLimit(Usd(10m), BudgetPeriod.Total));
        JournalCodecV1.Write(buffer, new JournalEntry { Kind = JournalEntryKind.Define, Sequence = 1, Ticks = Start.UtcTicks, Wallet = User, Payload = definition });
        JournalCodecV1.Write(buffer, new JournalEntry { Kind = JournalEntryKind.Reserve, Sequence = 2, Ticks = Start.UtcTicks, ReservationId = 1, Extra = Start.AddMinutes(10).UtcTicks, Amount = 2m, Currency = "USD", Key = "r", Wallets = [User] });
        JournalCodecV1.Write(buffer, new JournalEntry { Kind = JournalEntryKind.Settle, Sequence = 3, Ticks = Start.UtcTicks, ReservationId = 1, Amount = 1.5m, Currency = "USD", Key = "s" });
        await File.WriteAllBytesAsync(journal.Path, buffer.Written.ToArray());

        var options = new BudgetOptions { StorePath = journal.Path };
        await using var ledger = new BudgetLedger(options, new FakeTimeProvider(Start));
        ledger.GetWallet(User).Spent.Should().Be(Usd(1.5m));
        (await ledger.SettleAsync(1, Usd(1.5m), "s")).Posted.Should().Be(Usd(1.5m), "the old string key is remembered");
        (await ledger.GetHistoryAsync(User)).Sum(t => t.BalanceChange).Should().Be(8.5m);
    }

    public static TheoryData<string> BadReplays => new() { "settled twice", "released after settle", "unknown reservation", "unknown wallet", "sequence gap" };

    [Theory]
    [MemberData(nameof(BadReplays))]
    public async Task A_journal_that_contradicts_itself_is_refused_on_replay(string bad)
    {
        using var journal = new TempJournal();
        var time = new FakeTimeProvider(Start);
        long sequence;
        long reservation;
        await using (var ledger = Create(time, Options(path: journal)))
        {
            var r = await ledger.ReserveAsync([User], Usd(1m), "r");
            reservation = r.Id;
            sequence = (await ledger.SettleAsync(r.Id, Usd(1m), "s")).Sequence;
        }

        File.Delete(journal.Path + ".snapshot");
        var next = sequence + 1;
        var entry = bad switch
        {
            "settled twice" => new JournalEntry { Kind = JournalEntryKind.Settle, Sequence = next, Ticks = Start.UtcTicks, ReservationId = reservation, Amount = 1m, Currency = "USD" },
            "released after settle" => new JournalEntry { Kind = JournalEntryKind.Release, Sequence = next, Ticks = Start.UtcTicks, ReservationId = reservation },
            "unknown reservation" => new JournalEntry { Kind = JournalEntryKind.Settle, Sequence = next, Ticks = Start.UtcTicks, ReservationId = 999, Amount = 1m, Currency = "USD" },
            "unknown wallet" => new JournalEntry { Kind = JournalEntryKind.TopUp, Sequence = next, Ticks = Start.UtcTicks, Wallet = WalletId.ForApp("acme", "ghost"), Amount = 1m, Currency = "USD" },
            _ => new JournalEntry { Kind = JournalEntryKind.TopUp, Sequence = next + 5, Ticks = Start.UtcTicks, Wallet = User, Amount = 1m, Currency = "USD" },
        };
        var buffer = new JournalBuffer();
        JournalCodec.Write(buffer, entry);
        var length = new FileInfo(journal.Path).Length;
        await using (var stream = new FileStream(journal.Path, FileMode.Append))
        {
            await stream.WriteAsync(buffer.Written.ToArray());
        }

        var open = () => Create(time, Options(path: journal));
        open.Should().Throw<JournalCorruptedException>().Which.Offset.Should().Be(length);
    }

    [Theory]
    [InlineData(30, "read-only")]
    [InlineData(28, "disk is full")]
    [InlineData(13, "permission denied")]
    [InlineData(11, "open in another ledger")]
    public void Open_failures_are_reported_by_their_cause(int errno, string cause)
    {
        var error = FileJournal.DescribeOpenFailure("/data/budget.journal", new IOException("system message", errno));
        error.Message.Should().Contain("/data/budget.journal").And.Contain(cause);
        if (errno != 11)
        {
            error.Message.Should().NotContain("another ledger");
        }

        FileJournal.DescribeOpenFailure("/data/budget.journal", new UnauthorizedAccessException()).Message.Should().Contain("permission denied");
    }

    /// <summary>Writes records the way AiOrchestrator did before version 2 (every record carries a key string).</summary>
    private static class JournalCodecV1
    {
        public static void Write(JournalBuffer buffer, in JournalEntry entry)
        {
            var start = buffer.Length;
            buffer.Skip(JournalCodec.HeaderSize);
            buffer.WriteByte(1);
            buffer.WriteByte((byte)entry.Kind);
            buffer.WriteInt64(entry.Sequence);
            buffer.WriteInt64(entry.Ticks);
            buffer.WriteInt64(entry.ReservationId);
            buffer.WriteInt64(entry.Extra);
            buffer.WriteDecimal(entry.Amount);
            buffer.WriteString(entry.Currency);
            buffer.WriteString(entry.Key);
            buffer.WriteString(entry.Wallet.IsEmpty ? null : entry.Wallet.Value);
            JournalCodec.WriteWallets(buffer, entry.Wallets);
            if (entry.Payload is WalletDefinition definition)
            {
                JournalCodec.WriteDefinition(buffer, definition);
            }

            var payloadLength = buffer.Length - start - JournalCodec.HeaderSize;
            var header = buffer.Span(start, JournalCodec.HeaderSize);
            BinaryPrimitives.WriteInt32LittleEndian(header, payloadLength);
            BinaryPrimitives.WriteUInt32LittleEndian(header[4..], JournalCodec.Checksum(buffer.Span(start + JournalCodec.HeaderSize, payloadLength)));
        }
    }
}
