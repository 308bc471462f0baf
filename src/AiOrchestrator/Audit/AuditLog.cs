using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using AiOrchestrator.Pipeline;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Win32.SafeHandles;

namespace AiOrchestrator.Audit;

/// <summary>
/// The tamper-evident audit log: an append-only file log of decisions, each entry linked to the one before by its
/// SHA-256 hash, with a Merkle tree over all entries (RFC 9162) for inclusion and consistency proofs and periodically
/// signed checkpoints. Appends from many threads are queued and written by one background writer, a batch at a time
/// with one flush to disk (group commit).
/// </summary>
/// <remarks>
/// <para>
/// Crash safety follows the budget journal's rule: on open, an incomplete last record (a write a crash cut short,
/// never acknowledged) is cut off; any other damage (a changed, missing, reordered or inserted entry, or a chain that
/// no longer matches the log's own signed checkpoint) refuses to open with <see cref="AuditLogCorruptedException"/>
/// and changes nothing.
/// </para>
/// <para>
/// Memory: the queue is bounded by <see cref="AuditOptions.MaxQueuedEntries"/>; the Merkle tree keeps about 36 bytes
/// per entry (each leaf hash and the stored complete subtrees), so proofs for any size take microseconds. One
/// segment at a time is read on open (at most <see cref="AuditOptions.SegmentBytes"/>).
/// </para>
/// </remarks>
[Experimental(AiCall.ExperimentalDiagnosticId)]
public sealed partial class AuditLog : IAuditSink, IDisposable, IAsyncDisposable
{
    private const int MaxFieldLength = 256;

    private readonly AuditOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly AuditMetrics _metrics;
    private readonly MerkleTree _tree;
    private readonly ECDsa _signingKey;
    private readonly bool _ownsKey;
    private readonly FileStream _lock;
    private readonly string _checkpointPath;

    /// <summary>Opens (or creates) the log in <see cref="AuditOptions.Directory"/>, verifying every entry, and starts its writer.</summary>
    /// <param name="options">The options; <see cref="AuditOptions.Directory"/> is required.</param>
    /// <param name="signingKey">The P-256 key that signs checkpoints; when null it is read from (or created at) <see cref="AuditOptions.SigningKeyPath"/>. The caller keeps ownership of a key it passes.</param>
    /// <param name="timeProvider">The clock for entry and checkpoint times.</param>
    /// <param name="logger">Where to log.</param>
    /// <param name="meterFactory">Where to create the meter.</param>
    /// <exception cref="AuditLogCorruptedException">The log is damaged other than by a torn last record.</exception>
    /// <exception cref="IOException">The folder cannot be used, or another log has it open.</exception>
    public AuditLog(AuditOptions options, ECDsa? signingKey = null, TimeProvider? timeProvider = null, ILogger<AuditLog>? logger = null, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = AuditOptionsValidator.Collect(options);
        if (failures.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", failures), nameof(options));
        }

        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        Directory = Path.GetFullPath(options.Directory!);
        System.IO.Directory.CreateDirectory(Directory);
        _checkpointPath = Path.Combine(Directory, AuditSegmentFile.CheckpointFileName);
        _lock = OpenLock(Directory);
        try
        {
            if (signingKey is null)
            {
                var keyPath = options.SigningKeyPath ?? Path.Combine(Directory, "signing-key.pem");
                _signingKey = AuditSigningKey.LoadOrCreate(keyPath, options.CreateSigningKeyIfMissing, out var created);
                _ownsKey = true;
                if (created)
                {
                    AuditLogMessages.SigningKeyCreated(_logger, keyPath);
                }
            }
            else
            {
                _signingKey = signingKey;
            }

            PublicKeyPem = _signingKey.ExportSubjectPublicKeyInfoPem();
            File.WriteAllText(Path.Combine(Directory, AuditSegmentFile.PublicKeyFileName), PublicKeyPem);

            var scan = Recover(out var torn);
            _tree = scan.Tree;
            scan.LastHash.CopyTo(_lastHash, 0);
            _next = _tree.Size;
            _checkpointedSize = LatestCheckpoint?.TreeSize ?? 0;
            _metrics = new AuditMetrics(meterFactory);
            AuditLogMessages.Opened(_logger, Directory, _tree.Size, torn);
        }
        catch
        {
            _segment?.Dispose();
            if (_ownsKey)
            {
                _signingKey?.Dispose();
            }

            _lock.Dispose();
            throw;
        }

        _lastCheckpointAt = _time.GetUtcNow();
        _current = new AuditBatch(_next);
        _writer = new Thread(WriteLoop) { IsBackground = true, Name = "AiOrchestrator audit writer" };
        _writer.Start();
    }

    /// <summary>The log's folder (full path).</summary>
    public string Directory { get; }

    /// <summary>The public key that verifies this log's checkpoints, as PEM (SubjectPublicKeyInfo); also in <c>signing-key.pub.pem</c> beside the log.</summary>
    public string PublicKeyPem { get; }

    /// <summary>How many entries are on disk (the Merkle tree's size). Entries queued but not yet written are not counted.</summary>
    public long Count => _tree.Size;

    /// <summary>The latest checkpoint this log signed, or null before the first.</summary>
    public AuditCheckpoint? LatestCheckpoint { get; private set; }

    /// <summary>The Merkle root hash of the first <paramref name="treeSize"/> entries (all durable entries when null).</summary>
    public byte[] GetRootHash(long? treeSize = null) => _tree.Root(treeSize ?? _tree.Size);

    /// <summary>The hash of entry <paramref name="sequence"/> (its Merkle leaf hash).</summary>
    public byte[] GetEntryHash(long sequence) => _tree.Leaf(sequence);

    /// <summary>Proof that entry <paramref name="sequence"/> is in the log of <paramref name="treeSize"/> entries (all durable entries when null).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The entry or the size is beyond the durable log.</exception>
    public InclusionProof GetInclusionProof(long sequence, long? treeSize = null)
    {
        var size = treeSize ?? _tree.Size;
        return new InclusionProof(sequence, size, _tree.InclusionPath(sequence, size));
    }

    /// <summary>Proof that the log of <paramref name="firstSize"/> entries is a prefix of the log of <paramref name="secondSize"/> entries.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is beyond the durable log, or the first is larger than the second.</exception>
    public ConsistencyProof GetConsistencyProof(long firstSize, long? secondSize = null)
    {
        var size = secondSize ?? _tree.Size;
        return new ConsistencyProof(firstSize, size, _tree.ConsistencyPath(firstSize, size));
    }

    /// <summary>
    /// Signs a checkpoint of everything durable now, saves it as <c>checkpoint.txt</c> in the log folder (replacing
    /// the previous one) and returns it. Keep copies elsewhere: a checkpoint only detects a rewrite when it is kept
    /// where the rewriter cannot reach it.
    /// </summary>
    public async Task<AuditCheckpoint> CreateCheckpointAsync(CancellationToken cancellationToken = default)
    {
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        lock (_checkpointLock)
        {
            return WriteCheckpoint();
        }
    }

    /// <summary>Reads every entry back from disk, in order (for inspection and export; it verifies on the way).</summary>
    public IReadOnlyList<AuditEntry> ReadEntries()
    {
        var entries = new List<AuditEntry>();
        var scan = new AuditChainScanner { OnEntry = (_, bytes) => entries.Add(AuditEntry.Parse(bytes.Span)) };
        scan.Scan(Directory);
        return entries;
    }

    private static FileStream OpenLock(string directory)
    {
        var path = Path.Combine(directory, AuditSegmentFile.LockFileName);
        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex)
        {
            throw new IOException($"The audit log '{directory}' is open in another AuditLog (this or another process). Use one AuditLog per folder.", ex);
        }
    }

    /// <summary>Verifies the folder, cuts off a torn last record, checks the saved checkpoint and opens the last segment for appends.</summary>
    private AuditChainScanner Recover(out long torn)
    {
        torn = 0;
        var scan = new AuditChainScanner();
        scan.Scan(Directory);
        if (scan.Failure == AuditFailure.LogMissing)
        {
            scan = new AuditChainScanner();
            StartSegment(1, 0);
            return scan;
        }

        if (scan.Failure is not (AuditFailure.None or AuditFailure.TruncatedTail))
        {
            throw new AuditLogCorruptedException(AuditVerifier.ScanReport(scan));
        }

        var last = scan.LastSegment!.Value;
        if (scan.Failure == AuditFailure.TruncatedTail)
        {
            torn = last.Length - last.ValidEnd;
            if (last.ValidEnd < AuditSegmentFile.HeaderSize)
            {
                File.Delete(last.Path);
                StartSegment(last.Number, scan.Count);
                return CheckSavedCheckpoint(scan);
            }

            using var handle = File.OpenHandle(last.Path, FileMode.Open, FileAccess.ReadWrite);
            RandomAccess.SetLength(handle, last.ValidEnd);
            RandomAccess.FlushToDisk(handle);
        }

        _segmentNumber = last.Number;
        _segmentLength = last.ValidEnd;
        _segment = OpenSegment(last.Path, FileMode.Open);
        return CheckSavedCheckpoint(scan);
    }

    /// <summary>The log's own last checkpoint must still match: else entries at the end were removed or the chain rewritten.</summary>
    private AuditChainScanner CheckSavedCheckpoint(AuditChainScanner scan)
    {
        if (!File.Exists(_checkpointPath))
        {
            return scan;
        }

        if (!AuditCheckpoint.TryParse(File.ReadAllText(_checkpointPath), out var checkpoint, out var error))
        {
            throw new AuditLogCorruptedException(AuditVerifier.Report(scan, AuditFailure.CheckpointUnusable, $"the saved checkpoint '{_checkpointPath}' cannot be read: {error}"));
        }

        if (AuditVerifier.CheckAgainst(scan, checkpoint, _signingKey) is { } mismatch)
        {
            throw new AuditLogCorruptedException(mismatch with { FilePath = _checkpointPath });
        }

        LatestCheckpoint = checkpoint;
        return scan;
    }

    private void StartSegment(long number, long firstSequence)
    {
        var path = Path.Combine(Directory, AuditSegmentFile.FileName(number));
        var segment = OpenSegment(path, FileMode.CreateNew);
        Span<byte> header = stackalloc byte[AuditSegmentFile.HeaderSize];
        AuditSegmentFile.WriteHeader(header, firstSequence);
        RandomAccess.Write(segment, header, 0);
        RandomAccess.FlushToDisk(segment);
        _segment?.Dispose();
        _segment = segment;
        _segmentNumber = number;
        _segmentLength = AuditSegmentFile.HeaderSize;
    }

    private static SafeFileHandle OpenSegment(string path, FileMode mode)
        => File.OpenHandle(path, mode, FileAccess.ReadWrite, FileShare.Read);

    /// <summary>Checks the lengths of an event's fields before it is queued, so that a bad event fails its caller, not the writer.</summary>
    private static void CheckEvent(in AuditEvent e)
    {
        if (!Enum.IsDefined(e.Kind))
        {
            throw new ArgumentException($"{(int)e.Kind} is not an audit entry kind.", nameof(e));
        }

        CheckLength(e.Provider, "Provider");
        CheckLength(e.Model, "Model");
        CheckLength(e.Currency, "Currency");
        if (e.Scope is { } scope)
        {
            CheckLength(scope.Organization, "Scope.Organization");
            CheckLength(scope.Team, "Scope.Team");
            CheckLength(scope.User, "Scope.User");
            CheckLength(scope.App, "Scope.App");
            CheckLength(scope.Feature, "Scope.Feature");
        }

        static void CheckLength(string? value, string name)
        {
            if (value is { Length: > MaxFieldLength })
            {
                throw new ArgumentException($"The audit event's {name} is {value.Length} characters; names are at most {MaxFieldLength}. An audit entry records names and ids, never text.", nameof(e));
            }
        }
    }
}
