using System.Security.Cryptography;
using AiOrchestrator.Audit;
using BenchmarkDotNet.Attributes;

namespace AiOrchestrator.Benchmarks;

/// <summary>
/// The audit log: appending (amortised over a batch of 10,000 entries queued with <c>Append</c> and flushed once, so
/// encoding, hashing, the Merkle tree and the disk flushes are all included), and proofs in a 1,000,000-entry tree:
/// generating and verifying inclusion and consistency proofs, and a root of an earlier size.
/// </summary>
[MemoryDiagnoser]
public class AuditBenchmarks
{
    private const int Batch = 10_000;
    private const long Size = 1_000_000;
    private const long Older = 999_983;
    private const long Index = 123_457;

    private readonly MerkleTree _tree = new();
    private AuditLog _log = null!;
    private ECDsa _key = null!;
    private string _directory = null!;
    private AuditEvent _event;
    private InclusionProof _inclusion = null!;
    private ConsistencyProof _consistency = null!;
    private byte[] _leaf = null!;
    private byte[] _root = null!;
    private byte[] _olderRoot = null!;

    [GlobalSetup]
    public void Setup()
    {
        _directory = Path.Combine(Path.GetTempPath(), "aio-audit-bench-" + Guid.NewGuid().ToString("N"));
        _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        _log = new AuditLog(new AuditOptions { Directory = _directory }, _key);
        _event = new AuditEvent(AuditEntryKind.Settled, new AiCallId(Guid.CreateVersion7()))
        {
            Scope = new AiScope { Organization = "acme", Team = "search", User = "alice" },
            Provider = "openai",
            Model = "gpt-4o",
            Amount = 0.0123m,
            Currency = "USD",
            Attributes = AuditAttributes.Of(AuditAttributeKey.Wallet, "team:acme/search"),
        };

        Span<byte> leaf = stackalloc byte[32];
        for (var i = 0; i < Size; i++)
        {
            BitConverter.TryWriteBytes(leaf, i);
            _tree.Append(SHA256.HashData(leaf));
        }

        _leaf = _tree.Leaf(Index);
        _root = _tree.Root(Size);
        _olderRoot = _tree.Root(Older);
        _inclusion = new InclusionProof(Index, Size, _tree.InclusionPath(Index, Size));
        _consistency = new ConsistencyProof(Older, Size, _tree.ConsistencyPath(Older, Size));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _log.Dispose();
        _key.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>One entry, amortised: 10,000 queued with Append, then one wait for all of them to be on disk.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public long AppendAmortised()
    {
        long last = 0;
        for (var i = 0; i < Batch; i++)
        {
            last = _log.Append(_event);
        }

        _log.FlushAsync().GetAwaiter().GetResult();
        return last;
    }

    /// <summary>An inclusion proof for one entry of a 1,000,000-entry log.</summary>
    [Benchmark]
    public int InclusionProof1M() => _tree.InclusionPath(Index, Size).Count;

    /// <summary>A consistency proof between 999,983 and 1,000,000 entries (the older size not a power of two).</summary>
    [Benchmark]
    public int ConsistencyProof1M() => _tree.ConsistencyPath(Older, Size).Count;

    /// <summary>The root hash of an earlier size (what a checkpoint of that size signed).</summary>
    [Benchmark]
    public byte[] RootOfOlderSize1M() => _tree.Root(Older);

    /// <summary>Verifying the inclusion proof (RFC 9162 §2.1.3.2).</summary>
    [Benchmark]
    public bool VerifyInclusion1M() => _inclusion.Verify(_leaf, _root, out _);

    /// <summary>Verifying the consistency proof (RFC 9162 §2.1.4.2).</summary>
    [Benchmark]
    public bool VerifyConsistency1M() => _consistency.Verify(_olderRoot, _root, out _);
}
