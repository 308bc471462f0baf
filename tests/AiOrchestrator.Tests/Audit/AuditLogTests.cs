using AiOrchestrator.Audit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace AiOrchestrator.Tests.Audit;

public class AuditLogTests
{
    [Fact]
    public async Task Appended_entries_are_stored_chained_and_provable()
    {
        using var temp = new AuditTestLog();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 3, 8, 0, 0, TimeSpan.Zero));
        await using var log = temp.Open(time: time);
        var events = Enumerable.Range(0, 50).Select(AuditTestLog.Event).ToList();
        for (var i = 0; i < 49; i++)
        {
            log.Append(events[i]).Should().Be(i);
        }

        (await log.AppendAsync(events[49])).Should().Be(49);
        log.Count.Should().Be(50);

        var entries = log.ReadEntries();
        entries.Select(e => e.Sequence).Should().Equal(Enumerable.Range(0, 50).Select(i => (long)i));
        entries[7].CallId.Should().Be(events[7].CallId);
        entries[7].Amount.Should().Be(0.007m);
        entries[7].Organization.Should().Be("acme");
        entries[7].Attributes[AuditAttributeKey.Wallet].Should().Be("team:acme/search");
        entries[7].Time.Should().Be(time.GetUtcNow());
        entries[0].PreviousHash.ToArray().Should().Equal(new byte[32]);
        for (var i = 1; i < entries.Count; i++)
        {
            entries[i].PreviousHash.ToArray().Should().Equal(entries[i - 1].ComputeHash());
            log.GetEntryHash(i).Should().Equal(entries[i].ComputeHash());
        }

        var checkpoint = await log.CreateCheckpointAsync();
        using var publicKey = System.Security.Cryptography.ECDsa.Create();
        publicKey.ImportFromPem(log.PublicKeyPem);
        checkpoint.Verify(publicKey, out _).Should().Be(AuditCheckpointStatus.Valid);
        log.GetInclusionProof(13, 50).Verify(entries[13].ComputeHash(), checkpoint.RootHash.Span, out var failure).Should().BeTrue(failure);
        log.GetConsistencyProof(20, 50).Verify(log.GetRootHash(20), checkpoint.RootHash.Span, out failure).Should().BeTrue(failure);
        AuditVerifier.Verify(temp.Directory, checkpoint, publicKey).IsValid.Should().BeTrue();
    }

    [Fact]
    public async Task Appends_from_many_threads_started_together_are_all_stored_once_in_one_chain()
    {
        using var temp = new AuditTestLog();
        const int Threads = 8;
        const int PerThread = 500;
        var acknowledged = new System.Collections.Concurrent.ConcurrentDictionary<long, AiCallId>();
        await using (var log = temp.Open(o => o.MaxBatchEntries = 64))
        {
            using var barrier = new Barrier(Threads);
            var tasks = Enumerable.Range(0, Threads).Select(t => Task.Factory.StartNew(async () =>
            {
                barrier.SignalAndWait();
                for (var i = 0; i < PerThread; i++)
                {
                    var e = AuditTestLog.Event(i) with { CallId = new AiCallId(Guid.CreateVersion7()) };
                    var sequence = i % 2 == 0 ? log.Append(e) : await log.AppendAsync(e);
                    acknowledged.TryAdd(sequence, e.CallId).Should().BeTrue("each append gets its own sequence number");
                }
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap()).ToArray();
            await Task.WhenAll(tasks);
            await log.FlushAsync();
            log.Count.Should().Be(Threads * PerThread);
        }

        var report = AuditVerifier.Verify(temp.Directory);
        report.IsValid.Should().BeTrue(report.ToString());
        report.EntriesVerified.Should().Be(Threads * PerThread);
        await using var reopened = temp.Open();
        var entries = reopened.ReadEntries();
        foreach (var (sequence, call) in acknowledged)
        {
            entries[(int)sequence].CallId.Should().Be(call);
        }
    }

    [Fact]
    public async Task Reopening_continues_the_chain_and_checks_the_saved_checkpoint()
    {
        using var temp = new AuditTestLog();
        temp.Write(10);
        await using (var log = temp.Open())
        {
            log.Count.Should().Be(10);
            log.LatestCheckpoint!.TreeSize.Should().Be(10);
            await log.AppendAsync(AuditTestLog.Event(10));
        }

        AuditVerifier.Verify(temp.Directory).EntriesVerified.Should().Be(11);
        File.ReadAllText(Path.Combine(temp.Directory, "checkpoint.txt")).Should().Contain("size 11");
    }

    [Fact]
    public async Task A_torn_last_record_is_cut_off_on_open()
    {
        using var temp = new AuditTestLog();
        temp.Write(20);
        var segment = temp.Segment();
        var whole = new FileInfo(segment).Length;
        var record = AuditTestLog.Frame("{\"v\":1,\"seq\":20,\"time\":\"2026-12-03T08:00:00.000000Z\"}"u8);
        await using (var stream = new FileStream(segment, FileMode.Append))
        {
            stream.Write(record.AsSpan(0, record.Length - 5));
        }

        AuditVerifier.Verify(temp.Directory).Failure.Should().Be(AuditFailure.TruncatedTail);
        await using (var log = temp.Open())
        {
            log.Count.Should().Be(20);
            new FileInfo(segment).Length.Should().Be(whole);
            (await log.AppendAsync(AuditTestLog.Event(20))).Should().Be(20);
        }

        AuditVerifier.Verify(temp.Directory).IsValid.Should().BeTrue();
    }

    [Fact]
    public void Damage_before_the_end_refuses_to_open_and_changes_nothing()
    {
        using var temp = new AuditTestLog();
        temp.Write(20);
        var segment = temp.Segment();
        var bytes = File.ReadAllBytes(segment);
        var records = AuditTestLog.Records(bytes);
        bytes[records[5].Offset + 30] ^= 0x01;
        File.WriteAllBytes(segment, bytes);

        var open = () => temp.Open();
        var error = open.Should().Throw<AuditLogCorruptedException>().Which;
        error.Report.Failure.Should().Be(AuditFailure.ChecksumMismatch);
        error.Report.FirstBadSequence.Should().Be(5);
        error.Message.Should().Contain("entry 5").And.Contain("Nothing was changed");
        File.ReadAllBytes(segment).Should().Equal(bytes);
    }

    [Fact]
    public void A_log_cut_short_of_its_own_checkpoint_refuses_to_open()
    {
        using var temp = new AuditTestLog();
        temp.Write(20);
        var segment = temp.Segment();
        var bytes = File.ReadAllBytes(segment);
        File.WriteAllBytes(segment, bytes[..AuditTestLog.Records(bytes)[15].Offset]);

        var open = () => temp.Open();
        open.Should().Throw<AuditLogCorruptedException>().Which.Report.Failure.Should().Be(AuditFailure.LogShorterThanCheckpoint);
    }

    [Fact]
    public async Task Segments_rotate_and_stay_within_their_size()
    {
        using var temp = new AuditTestLog();
        const long SegmentBytes = 64 * 1024;
        await using (var log = temp.Open(o => o.SegmentBytes = SegmentBytes))
        {
            for (var i = 0; i < 3000; i++)
            {
                log.Append(AuditTestLog.Event(i));
            }

            await log.FlushAsync();
            log.Count.Should().Be(3000);
        }

        var segments = AuditSegmentFile.List(temp.Directory);
        segments.Count.Should().BeGreaterThan(3);
        segments.Select(s => s.Number).Should().Equal(Enumerable.Range(1, segments.Count).Select(i => (long)i));
        foreach (var (_, path) in segments)
        {
            new FileInfo(path).Length.Should().BeLessThanOrEqualTo(SegmentBytes);
        }

        AuditVerifier.Verify(temp.Directory).EntriesVerified.Should().Be(3000);
    }

    [Fact]
    public void The_tree_keeps_about_36_bytes_per_entry()
    {
        var tree = new MerkleTree();
        var leaf = new byte[32];
        for (var i = 0; i < 100_000; i++)
        {
            tree.Append(leaf);
        }

        tree.MemoryBytes.Should().BeLessThan(40L * 100_000 + (1 << 20));
    }

    [Fact]
    public async Task A_second_log_on_the_same_folder_is_refused()
    {
        using var temp = new AuditTestLog();
        await using var log = temp.Open();
        var second = () => temp.Open();
        second.Should().Throw<IOException>().WithMessage("*another AuditLog*");
    }

    [Fact]
    public async Task Events_with_text_sized_fields_are_refused_before_they_are_queued()
    {
        using var temp = new AuditTestLog();
        await using var log = temp.Open();
        var e = AuditTestLog.Event(1) with { Model = new string('m', 300) };
        FluentActions.Invoking(() => log.Append(e)).Should().Throw<ArgumentException>().WithMessage("*never text*");
        await log.FlushAsync();
        log.Count.Should().Be(0);
    }

    [Fact]
    public async Task The_log_signs_checkpoints_by_entry_count_and_creates_its_key()
    {
        using var temp = new AuditTestLog();
        await using (var log = new AuditLog(temp.Options(o => o.CheckpointEveryEntries = 10)))
        {
            for (var i = 0; i < 25; i++)
            {
                await log.AppendAsync(AuditTestLog.Event(i));
            }

            log.LatestCheckpoint!.TreeSize.Should().BeGreaterThanOrEqualTo(20);
        }

        File.Exists(Path.Combine(temp.Directory, "signing-key.pem")).Should().BeTrue();
        using var publicKey = System.Security.Cryptography.ECDsa.Create();
        publicKey.ImportFromPem(File.ReadAllText(Path.Combine(temp.Directory, "signing-key.pub.pem")));
        var checkpoint = AuditCheckpoint.Parse(File.ReadAllText(Path.Combine(temp.Directory, "checkpoint.txt")));
        checkpoint.TreeSize.Should().Be(25);
        AuditVerifier.Verify(temp.Directory, checkpoint, publicKey).IsValid.Should().BeTrue();
    }

    [Fact]
    public async Task AddAuditLog_binds_its_section_and_registers_the_sink()
    {
        using var temp = new AuditTestLog();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AiOrchestrator:Audit:Directory"] = temp.Directory,
            ["AiOrchestrator:Audit:SegmentBytes"] = "131072",
            ["AiOrchestrator:Audit:FlushInterval"] = "00:00:00.002",
        }).Build();
        await using var services = new ServiceCollection().AddAuditLog(configuration).BuildServiceProvider();
        services.GetRequiredService<IOptions<AuditOptions>>().Value.SegmentBytes.Should().Be(131072);
        var sink = services.GetRequiredService<IAuditSink>();
        sink.Should().BeSameAs(services.GetRequiredService<AuditLog>());
        (await sink.AppendAsync(AuditTestLog.Event(0))).Should().Be(0);
    }

    [Fact]
    public async Task Unknown_keys_and_invalid_values_fail_at_start()
    {
        using var temp = new AuditTestLog();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AiOrchestrator:Audit:Directory"] = temp.Directory,
            ["AiOrchestrator:Audit:SegmentByte"] = "131072",
        }).Build();
        await using var services = new ServiceCollection().AddAuditLog(configuration).BuildServiceProvider();
        FluentActions.Invoking(() => services.GetRequiredService<IOptions<AuditOptions>>().Value)
            .Should().Throw<OptionsValidationException>().WithMessage("*SegmentByte*");

        await using var invalid = new ServiceCollection().AddAuditLog(configure: o => { o.SegmentBytes = 10; o.MaxBatchEntries = 0; }).BuildServiceProvider();
        FluentActions.Invoking(() => invalid.GetRequiredService<IOptions<AuditOptions>>().Value)
            .Should().Throw<OptionsValidationException>().WithMessage("*Directory*").WithMessage("*SegmentBytes*").WithMessage("*MaxBatchEntries*");
    }
}
