using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using AiOrchestrator.Pipeline;

namespace AiOrchestrator.Audit;

/// <summary>
/// Checks an audit log folder offline and reports the first problem: a changed byte (checksum), an unreadable entry,
/// a deleted, swapped or inserted entry (sequence), a changed entry (hash chain), a cut-off tail, and, against a
/// signed checkpoint, entries removed from the end or a rewritten chain (root hash), or a checkpoint signed by
/// another key. It never throws on bad input. The CLI <c>tools/AuditVerifier</c> calls it.
/// </summary>
[Experimental(AiCall.ExperimentalDiagnosticId)]
public static class AuditVerifier
{
    /// <summary>Verifies the log in <paramref name="directory"/>, and against <paramref name="checkpoint"/> when given (which then needs <paramref name="publicKey"/>).</summary>
    public static AuditVerificationReport Verify(string directory, AuditCheckpoint? checkpoint = null, ECDsa? publicKey = null)
        => Run(directory, checkpoint, publicKey, null);

    /// <summary>
    /// Writes the log's entries as JSON Lines (one canonical entry per line, UTF-8, as stored and hashed) to
    /// <paramref name="destination"/>, verifying on the way; it stops at the first problem, which the report names.
    /// </summary>
    public static AuditVerificationReport ExportJsonLines(string directory, Stream destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        return Run(directory, null, null, (_, entry) =>
        {
            destination.Write(entry.Span);
            destination.WriteByte((byte)'\n');
        });
    }

    internal static AuditVerificationReport Report(AuditChainScanner scan, AuditFailure failure, string message, long? sequence = null, long? checkpointSize = null)
    {
        var count = scan.Count;
        return new AuditVerificationReport
        {
            Failure = failure,
            Message = message,
            FirstBadSequence = sequence,
            EntriesVerified = count,
            RootHash = scan.Tree.Root(count),
            CheckpointSize = checkpointSize,
        };
    }

    internal static AuditVerificationReport ScanReport(AuditChainScanner scan) => new()
    {
        Failure = scan.Failure,
        Message = scan.Message,
        FirstBadSequence = scan.Failure == AuditFailure.None ? null : scan.FailedSequence,
        FilePath = scan.FailedPath,
        Offset = scan.FailedOffset,
        EntriesVerified = scan.Count,
        RootHash = scan.Tree.Root(scan.Count),
    };

    /// <summary>Checks the scanned log against a checkpoint; null when it matches.</summary>
    internal static AuditVerificationReport? CheckAgainst(AuditChainScanner scan, AuditCheckpoint checkpoint, ECDsa? publicKey)
    {
        if (publicKey is null)
        {
            return Report(scan, AuditFailure.CheckpointUnusable, "a checkpoint was given without the public key to check its signature with", checkpointSize: checkpoint.TreeSize);
        }

        var status = checkpoint.Verify(publicKey, out var why);
        if (status != AuditCheckpointStatus.Valid)
        {
            var failure = status switch
            {
                AuditCheckpointStatus.SignedByAnotherKey => AuditFailure.CheckpointSignedByAnotherKey,
                AuditCheckpointStatus.BadSignature => AuditFailure.CheckpointSignatureInvalid,
                _ => AuditFailure.CheckpointUnusable,
            };
            return Report(scan, failure, why!, checkpointSize: checkpoint.TreeSize);
        }

        if (checkpoint.TreeSize > scan.Count)
        {
            return Report(scan, AuditFailure.LogShorterThanCheckpoint,
                $"the checkpoint signed at {checkpoint.Time:O} covers {checkpoint.TreeSize} entries, but the log has {scan.Count}: entries from {scan.Count} on were removed",
                scan.Count, checkpoint.TreeSize);
        }

        if (!scan.Tree.Root(checkpoint.TreeSize).AsSpan().SequenceEqual(checkpoint.RootHash.Span))
        {
            return Report(scan, AuditFailure.RootMismatch,
                $"the root hash of the log's first {checkpoint.TreeSize} entries differs from the one signed at {checkpoint.Time:O}: entries before {checkpoint.TreeSize} were changed and the chain after them rewritten",
                checkpointSize: checkpoint.TreeSize);
        }

        return null;
    }

    private static AuditVerificationReport Run(string directory, AuditCheckpoint? checkpoint, ECDsa? publicKey, Action<long, ReadOnlyMemory<byte>>? onEntry)
    {
        var scan = new AuditChainScanner { OnEntry = onEntry };
        try
        {
            if (string.IsNullOrWhiteSpace(directory))
            {
                return Report(scan, AuditFailure.LogMissing, "no log folder was given");
            }

            scan.Scan(directory);
            if (scan.Failure != AuditFailure.None)
            {
                return ScanReport(scan);
            }

            if (checkpoint is not null && CheckAgainst(scan, checkpoint, publicKey) is { } mismatch)
            {
                return mismatch;
            }

            return ScanReport(scan) with
            {
                CheckpointSize = checkpoint?.TreeSize,
                Message = scan.Message + (checkpoint is null ? "" : $"; the signed checkpoint of {checkpoint.TreeSize} entries matches"),
            };
        }
#pragma warning disable CA1031 // The verifier reports every failure; it never throws on bad input.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return Report(scan, AuditFailure.Unreadable, $"the log could not be read: {ex.GetType().Name}: {ex.Message}", scan.Count);
        }
    }
}
