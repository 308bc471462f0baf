using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using AiOrchestrator.Pipeline;

namespace AiOrchestrator.Audit;

/// <summary>What <see cref="AuditVerifier.Verify(string, AuditCheckpoint?, System.Security.Cryptography.ECDsa?)"/> found.</summary>
[Experimental(AiCall.ExperimentalDiagnosticId)]
public sealed record AuditVerificationReport
{
    /// <summary>True when the log and the checkpoint (if given) verify.</summary>
    public bool IsValid => Failure == AuditFailure.None;

    /// <summary>The first problem found, or <see cref="AuditFailure.None"/>.</summary>
    public AuditFailure Failure { get; init; }

    /// <summary>The sequence number of the first broken entry, when the problem is at an entry.</summary>
    public long? FirstBadSequence { get; init; }

    /// <summary>What failed and what it means, in a sentence or two.</summary>
    public required string Message { get; init; }

    /// <summary>The file where the problem is, when it is in a file.</summary>
    public string? FilePath { get; init; }

    /// <summary>The byte offset of the problem in <see cref="FilePath"/>.</summary>
    public long? Offset { get; init; }

    /// <summary>How many entries were read and verified before the first problem (all of them when valid).</summary>
    public long EntriesVerified { get; init; }

    /// <summary>The Merkle root hash of the verified entries.</summary>
    public ReadOnlyMemory<byte> RootHash { get; init; }

    /// <summary>The checkpoint's size, when a checkpoint was checked.</summary>
    public long? CheckpointSize { get; init; }

    /// <summary>The report as lines of text, as the verifier CLI prints it.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"result: {(IsValid ? "valid" : "INVALID")}\n");
        if (!IsValid)
        {
            text.Append(CultureInfo.InvariantCulture, $"failure: {Failure}\n");
            if (FirstBadSequence is { } sequence)
            {
                text.Append(CultureInfo.InvariantCulture, $"first bad entry: {sequence}\n");
            }

            if (FilePath is not null)
            {
                text.Append(CultureInfo.InvariantCulture, $"file: {FilePath}{(Offset is { } offset ? " at byte " + offset.ToString(CultureInfo.InvariantCulture) : "")}\n");
            }
        }

        text.Append(CultureInfo.InvariantCulture, $"entries verified: {EntriesVerified}\n");
        text.Append(CultureInfo.InvariantCulture, $"root hash: {Convert.ToHexStringLower(RootHash.Span)}\n");
        if (CheckpointSize is { } size)
        {
            text.Append(CultureInfo.InvariantCulture, $"checkpoint size: {size}\n");
        }

        text.Append(CultureInfo.InvariantCulture, $"message: {Message}\n");
        return text.ToString();
    }
}
