using System.Security.Cryptography;
using System.Text;
using AiOrchestrator.Audit;

namespace AiOrchestrator.Tests.Audit;

/// <summary>The verifier finds each kind of tampering, says what and where, and never throws.</summary>
public class TamperTests
{
    private const int Count = 30;

    [Fact]
    public void An_untouched_log_verifies_against_its_checkpoint()
    {
        using var temp = new AuditTestLog();
        var checkpoint = temp.Write(Count);
        var report = AuditVerifier.Verify(temp.Directory, checkpoint, temp.Key);
        report.IsValid.Should().BeTrue(report.ToString());
        report.EntriesVerified.Should().Be(Count);
        report.RootHash.ToArray().Should().Equal(checkpoint.RootHash.ToArray());
    }

    [Fact]
    public void A_flipped_byte_is_a_checksum_mismatch_at_that_entry()
    {
        using var temp = new AuditTestLog();
        temp.Write(Count);
        var bytes = Read(temp, out var records);
        bytes[records[12].Offset + 40] ^= 0x20;
        Save(temp, bytes);

        var report = AuditVerifier.Verify(temp.Directory);
        report.Failure.Should().Be(AuditFailure.ChecksumMismatch);
        report.FirstBadSequence.Should().Be(12);
        report.Offset.Should().Be(records[12].Offset);
        report.EntriesVerified.Should().Be(12);
    }

    [Fact]
    public void A_changed_entry_with_a_fixed_checksum_breaks_the_chain_at_the_next_entry()
    {
        using var temp = new AuditTestLog();
        temp.Write(Count);
        var bytes = Read(temp, out var records);
        var changed = Replace(temp, bytes, records, 12, e => e with { Amount = 1000m });
        Save(temp, changed);

        var report = AuditVerifier.Verify(temp.Directory);
        report.Failure.Should().Be(AuditFailure.ChainBroken);
        report.FirstBadSequence.Should().Be(13);
        report.Message.Should().Contain("entry 12 was changed");
    }

    [Fact]
    public void A_deleted_entry_is_reported_missing()
    {
        using var temp = new AuditTestLog();
        temp.Write(Count);
        var bytes = Read(temp, out var records);
        Save(temp, [.. bytes[..records[9].Offset], .. bytes[(records[9].Offset + records[9].Length)..]]);

        var report = AuditVerifier.Verify(temp.Directory);
        report.Failure.Should().Be(AuditFailure.EntriesMissing);
        report.FirstBadSequence.Should().Be(9);
        report.Message.Should().Contain("entry 9 was expected but entry 10 was found");
    }

    [Fact]
    public void Swapped_entries_are_out_of_order()
    {
        using var temp = new AuditTestLog();
        temp.Write(Count);
        var bytes = Read(temp, out var records);
        var a = bytes.AsSpan(records[4].Offset, records[4].Length).ToArray();
        var b = bytes.AsSpan(records[5].Offset, records[5].Length).ToArray();
        Save(temp, [.. bytes[..records[4].Offset], .. b, .. a, .. bytes[(records[5].Offset + records[5].Length)..]]);

        var report = AuditVerifier.Verify(temp.Directory);
        report.Failure.Should().Be(AuditFailure.SequenceOutOfOrder);
        report.FirstBadSequence.Should().Be(4);
        report.Message.Should().Contain("swapped or reordered");
    }

    [Fact]
    public void An_inserted_entry_is_found_whether_or_not_the_rest_is_renumbered()
    {
        using var temp = new AuditTestLog();
        temp.Write(Count);
        var bytes = Read(temp, out var records);
        var forged = AuditEntry.Parse(bytes.AsSpan(records[7].Offset + 8, records[7].Length - 8)) with { Amount = 5m };
        var frame = AuditTestLog.Frame(forged.ToCanonicalJson());
        Save(temp, [.. bytes[..records[8].Offset], .. frame, .. bytes[records[8].Offset..]]);
        var report = AuditVerifier.Verify(temp.Directory);
        report.Failure.Should().Be(AuditFailure.SequenceOutOfOrder);
        report.FirstBadSequence.Should().Be(8);

        // Renumbered and relinked from the insertion on: the entry after the insertion no longer links.
        var entries = AllEntries(bytes, records);
        var inserted = entries.Take(8).Append(entries[7] with { Amount = 5m }).Concat(entries.Skip(8)).ToList();
        File.Delete(temp.Segment());
        AuditTestLog.WriteChain(temp.Directory, inserted);
        var reportRelinked = AuditVerifier.Verify(temp.Directory);
        reportRelinked.IsValid.Should().BeTrue("a fully relinked chain is consistent in itself; only a checkpoint catches it");
    }

    [Fact]
    public void A_tail_cut_mid_record_is_a_truncated_tail_and_whole_entries_cut_are_caught_by_the_checkpoint()
    {
        using var temp = new AuditTestLog();
        var checkpoint = temp.Write(Count);
        var bytes = Read(temp, out var records);
        Save(temp, bytes[..(records[^1].Offset + 10)]);
        var report = AuditVerifier.Verify(temp.Directory);
        report.Failure.Should().Be(AuditFailure.TruncatedTail);
        report.FirstBadSequence.Should().Be(Count - 1);

        Save(temp, bytes[..records[25].Offset]);
        AuditVerifier.Verify(temp.Directory).IsValid.Should().BeTrue("25 whole entries are a consistent log");
        report = AuditVerifier.Verify(temp.Directory, checkpoint, temp.Key);
        report.Failure.Should().Be(AuditFailure.LogShorterThanCheckpoint);
        report.FirstBadSequence.Should().Be(25);
        report.Message.Should().Contain("covers 30 entries, but the log has 25");
    }

    [Fact]
    public void A_rewritten_chain_is_caught_by_the_saved_checkpoint()
    {
        using var temp = new AuditTestLog();
        var checkpoint = temp.Write(Count);
        var bytes = Read(temp, out var records);
        var entries = AllEntries(bytes, records);
        entries[3] = entries[3] with { Amount = 0m, Attributes = AuditAttributes.Of(AuditAttributeKey.Reason, "nothing to see") };
        File.Delete(temp.Segment());
        AuditTestLog.WriteChain(temp.Directory, entries);

        AuditVerifier.Verify(temp.Directory).IsValid.Should().BeTrue("the rewritten chain is consistent in itself");
        var report = AuditVerifier.Verify(temp.Directory, checkpoint, temp.Key);
        report.Failure.Should().Be(AuditFailure.RootMismatch);
        report.Message.Should().Contain("were changed and the chain after them rewritten");

        // And the rewritten log refuses to open against its own saved checkpoint.
        var open = () => temp.Open();
        open.Should().Throw<AuditLogCorruptedException>().Which.Report.Failure.Should().Be(AuditFailure.RootMismatch);
    }

    [Fact]
    public void A_checkpoint_from_another_key_or_with_changed_fields_is_refused()
    {
        using var temp = new AuditTestLog();
        var checkpoint = temp.Write(Count);
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var forged = AuditCheckpoint.Sign("audit", Count, checkpoint.RootHash.Span, checkpoint.Time, other);
        AuditVerifier.Verify(temp.Directory, forged, temp.Key).Failure.Should().Be(AuditFailure.CheckpointSignedByAnotherKey);
        AuditVerifier.Verify(temp.Directory, checkpoint, other).Failure.Should().Be(AuditFailure.CheckpointSignedByAnotherKey);

        var smaller = AuditCheckpoint.Parse(checkpoint.ToText().Replace($"size {Count}", "size 10", StringComparison.Ordinal));
        AuditVerifier.Verify(temp.Directory, smaller, temp.Key).Failure.Should().Be(AuditFailure.CheckpointSignatureInvalid);
        AuditVerifier.Verify(temp.Directory, checkpoint, null).Failure.Should().Be(AuditFailure.CheckpointUnusable);
    }

    [Fact]
    public void Bad_folders_and_garbage_files_are_reported_not_thrown()
    {
        using var temp = new AuditTestLog();
        AuditVerifier.Verify(temp.Directory).Failure.Should().Be(AuditFailure.LogMissing);
        AuditVerifier.Verify("").Failure.Should().Be(AuditFailure.LogMissing);
        Directory.CreateDirectory(temp.Directory);
        AuditVerifier.Verify(temp.Directory).Failure.Should().Be(AuditFailure.LogMissing);

        var random = new Random(7);
        for (var round = 0; round < 50; round++)
        {
            var garbage = new byte[random.Next(0, 400)];
            random.NextBytes(garbage);
            if (round % 2 == 0 && garbage.Length >= 16)
            {
                AuditSegmentFile.WriteHeader(garbage, 0);
            }

            File.WriteAllBytes(temp.Segment(), garbage);
            var report = AuditVerifier.Verify(temp.Directory);
            report.IsValid.Should().Be(garbage.Length == 16 && round % 2 == 0, report.ToString());
            report.Message.Should().NotBeNullOrEmpty();
        }
    }

    [Fact]
    public void A_missing_segment_file_is_reported()
    {
        using var temp = new AuditTestLog();
        temp.Write(2000, o => o.SegmentBytes = 64 * 1024);
        File.Delete(temp.Segment(2));
        var report = AuditVerifier.Verify(temp.Directory);
        report.Failure.Should().Be(AuditFailure.EntriesMissing);
        report.Message.Should().Contain("were deleted");
    }

    [Fact]
    public void Export_writes_one_canonical_entry_per_line()
    {
        using var temp = new AuditTestLog();
        temp.Write(Count);
        using var output = new MemoryStream();
        AuditVerifier.ExportJsonLines(temp.Directory, output).IsValid.Should().BeTrue();
        var lines = Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Should().HaveCount(Count);
        for (var i = 0; i < Count; i++)
        {
            var entry = AuditEntry.Parse(Encoding.UTF8.GetBytes(lines[i]));
            entry.Sequence.Should().Be(i);
            Encoding.UTF8.GetString(entry.ToCanonicalJson()).Should().Be(lines[i]);
        }
    }

    private static byte[] Read(AuditTestLog temp, out List<(int Offset, int Length)> records)
    {
        var bytes = File.ReadAllBytes(temp.Segment());
        records = AuditTestLog.Records(bytes);
        records.Should().HaveCount(Count);
        return bytes;
    }

    private static void Save(AuditTestLog temp, byte[] bytes) => File.WriteAllBytes(temp.Segment(), bytes);

    private static List<AuditEntry> AllEntries(byte[] bytes, List<(int Offset, int Length)> records)
        => records.Select(r => AuditEntry.Parse(bytes.AsSpan(r.Offset + 8, r.Length - 8))).ToList();

    private static byte[] Replace(AuditTestLog temp, byte[] bytes, List<(int Offset, int Length)> records, int index, Func<AuditEntry, AuditEntry> change)
    {
        _ = temp;
        var entry = change(AuditEntry.Parse(bytes.AsSpan(records[index].Offset + 8, records[index].Length - 8)));
        var frame = AuditTestLog.Frame(entry.ToCanonicalJson());
        return [.. bytes[..records[index].Offset], .. frame, .. bytes[(records[index].Offset + records[index].Length)..]];
    }
}
