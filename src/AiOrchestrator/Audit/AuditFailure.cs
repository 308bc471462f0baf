using System.Diagnostics.CodeAnalysis;
using AiOrchestrator.Pipeline;

namespace AiOrchestrator.Audit;

/// <summary>What the verifier found wrong with a log (the first problem only).</summary>
[Experimental(AiCall.ExperimentalDiagnosticId)]
public enum AuditFailure
{
    /// <summary>Nothing: the log verifies.</summary>
    None = 0,

    /// <summary>The folder does not exist or holds no audit segment.</summary>
    LogMissing = 1,

    /// <summary>A segment file does not start with the audit segment header.</summary>
    NotAnAuditSegment = 2,

    /// <summary>A record fails its length or checksum, and valid records follow it: the bytes were changed.</summary>
    ChecksumMismatch = 3,

    /// <summary>A record's checksum holds but its entry is not an entry in canonical form.</summary>
    EntryUnreadable = 4,

    /// <summary>Entries are missing: the sequence jumps forward (an entry or a segment file was deleted).</summary>
    EntriesMissing = 5,

    /// <summary>A sequence number repeats or goes back: entries were swapped, duplicated or inserted.</summary>
    SequenceOutOfOrder = 6,

    /// <summary>An entry's previous-hash does not match the entry before it: that entry was changed, or one was inserted or removed.</summary>
    ChainBroken = 7,

    /// <summary>The last record is incomplete: the log was cut off mid-record (a crash leaves this; opening the log cuts it off).</summary>
    TruncatedTail = 8,

    /// <summary>The log has fewer entries than the checkpoint: entries at its end were removed.</summary>
    LogShorterThanCheckpoint = 9,

    /// <summary>The log's root hash at the checkpoint's size differs from the signed one: entries were changed and the chain rewritten.</summary>
    RootMismatch = 10,

    /// <summary>The checkpoint was signed by another key than the public key given.</summary>
    CheckpointSignedByAnotherKey = 11,

    /// <summary>The checkpoint's signature does not match its fields.</summary>
    CheckpointSignatureInvalid = 12,

    /// <summary>The checkpoint or the public key could not be read, or no key was given to check it with.</summary>
    CheckpointUnusable = 13,

    /// <summary>A file could not be read.</summary>
    Unreadable = 14,
}
