using System.Buffers.Binary;
using System.Security.Cryptography;
using AiOrchestrator.Audit;
using AiOrchestrator.Budgets;

namespace AiOrchestrator.Tests.Audit;

/// <summary>A log folder in a fresh temporary directory (deleted on dispose), a signing key, and helpers that read and rewrite its records byte by byte.</summary>
internal sealed class AuditTestLog : IDisposable
{
    public AuditTestLog()
    {
        Directory = Path.Combine(Path.GetTempPath(), "aio-audit-tests", Guid.NewGuid().ToString("N"));
        Key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    }

    public string Directory { get; }

    public ECDsa Key { get; }

    public AuditOptions Options(Action<AuditOptions>? configure = null)
    {
        var options = new AuditOptions { Directory = Directory, FlushInterval = TimeSpan.FromMilliseconds(1) };
        configure?.Invoke(options);
        return options;
    }

    public AuditLog Open(Action<AuditOptions>? configure = null, TimeProvider? time = null) => new(Options(configure), Key, time);

    public static AuditEvent Event(int i) => new(i % 3 == 0 ? AuditEntryKind.Settled : AuditEntryKind.Reserved, new AiCallId(Guid.CreateVersion7()))
    {
        Scope = new AiScope { Organization = "acme", Team = "search", User = "u" + (i % 7) },
        Provider = "openai",
        Model = "gpt-4o",
        Amount = 0.001m * i,
        Currency = "USD",
        Attributes = AuditAttributes.Of(AuditAttributeKey.Wallet, "team:acme/search"),
    };

    /// <summary>Writes <paramref name="count"/> entries and closes the log (which signs a checkpoint).</summary>
    public AuditCheckpoint Write(int count, Action<AuditOptions>? configure = null)
    {
        using var log = Open(configure);
        for (var i = 0; i < count; i++)
        {
            log.Append(Event(i));
        }

        return log.CreateCheckpointAsync().GetAwaiter().GetResult();
    }

    public string Segment(int number = 1) => Path.Combine(Directory, AuditSegmentFile.FileName(number));

    /// <summary>The records of a segment: where each starts and how long it is.</summary>
    public static List<(int Offset, int Length)> Records(byte[] file)
    {
        var records = new List<(int, int)>();
        var at = AuditSegmentFile.HeaderSize;
        while (at < file.Length)
        {
            var length = AuditSegmentFile.RecordHeaderSize + BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(at));
            records.Add((at, length));
            at += length;
        }

        return records;
    }

    /// <summary>A record for <paramref name="payload"/>, with a correct checksum.</summary>
    public static byte[] Frame(ReadOnlySpan<byte> payload)
    {
        var record = new byte[AuditSegmentFile.RecordHeaderSize + payload.Length];
        BinaryPrimitives.WriteInt32LittleEndian(record, payload.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(4), JournalCodec.Checksum(payload));
        payload.CopyTo(record.AsSpan(AuditSegmentFile.RecordHeaderSize));
        return record;
    }

    /// <summary>Writes entries as a fresh, internally consistent log in one segment (a full rewrite of the chain).</summary>
    public static void WriteChain(string directory, IEnumerable<AuditEntry> entries)
    {
        using var file = new MemoryStream();
        var header = new byte[AuditSegmentFile.HeaderSize];
        AuditSegmentFile.WriteHeader(header, 0);
        file.Write(header);
        var previous = new byte[MerkleHash.Size];
        var sequence = 0L;
        foreach (var entry in entries)
        {
            var linked = entry with { Sequence = sequence++, PreviousHash = previous };
            var bytes = linked.ToCanonicalJson();
            file.Write(Frame(bytes));
            previous = MerkleHash.HashLeaf(bytes);
        }

        File.WriteAllBytes(Path.Combine(directory, AuditSegmentFile.FileName(1)), file.ToArray());
    }

    public void Dispose()
    {
        Key.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }
}
