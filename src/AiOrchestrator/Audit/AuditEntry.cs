using System.Diagnostics.CodeAnalysis;
using AiOrchestrator.Pipeline;

namespace AiOrchestrator.Audit;

/// <summary>
/// One entry of the audit log as stored: its place in the log, when it was written, the decision and the hash of the
/// entry before it. Its <see cref="ToCanonicalJson">canonical form</see> is what is stored and hashed.
/// </summary>
/// <remarks>
/// An entry never holds prompt or response text: there is no content field, and <see cref="AuditAttributes"/> values
/// are short single-line names and reasons. <see cref="Time"/> is kept in UTC to the microsecond.
/// </remarks>
[Experimental(AiCall.ExperimentalDiagnosticId)]
public sealed record AuditEntry
{
    private readonly DateTimeOffset _time;

    /// <summary>The entry's position in the log, from 0; it is also its leaf index in the Merkle tree.</summary>
    public long Sequence { get; init; }

    /// <summary>When the entry was appended, in UTC, truncated to whole microseconds.</summary>
    public DateTimeOffset Time
    {
        get => _time;
        init => _time = AuditCanonicalForm.Normalize(value);
    }

    /// <summary>What was decided.</summary>
    public AuditEntryKind Kind { get; init; }

    /// <summary>The call (empty for administrative entries).</summary>
    public AiCallId CallId { get; init; }

    /// <summary>The organisation the call was for.</summary>
    public string? Organization { get; init; }

    /// <summary>The team.</summary>
    public string? Team { get; init; }

    /// <summary>The user.</summary>
    public string? User { get; init; }

    /// <summary>The app.</summary>
    public string? App { get; init; }

    /// <summary>The feature.</summary>
    public string? Feature { get; init; }

    /// <summary>The provider.</summary>
    public string? Provider { get; init; }

    /// <summary>The model.</summary>
    public string? Model { get; init; }

    /// <summary>The amount, exact.</summary>
    public decimal? Amount { get; init; }

    /// <summary>The currency of <see cref="Amount"/>.</summary>
    public string? Currency { get; init; }

    /// <summary>Rule names, reasons and ids.</summary>
    public AuditAttributes Attributes { get; init; }

    /// <summary>The hash of the entry before this one (32 bytes; all zero for the first entry).</summary>
    public ReadOnlyMemory<byte> PreviousHash { get; init; } = new byte[MerkleHash.Size];

    /// <summary>The canonical form: UTF-8 JSON with a fixed field order and fixed number and date formats.</summary>
    public byte[] ToCanonicalJson()
    {
        var buffer = new AuditBuffer(256);
        AuditCanonicalForm.Write(buffer, this);
        return buffer.Written.ToArray();
    }

    /// <summary>This entry's hash: the Merkle leaf hash of its canonical form, which the next entry links to.</summary>
    public byte[] ComputeHash() => MerkleHash.HashLeaf(ToCanonicalJson());

    /// <summary>True when both entries have the same canonical form (so the same hash).</summary>
    public bool Equals(AuditEntry? other)
        => other is not null && (ReferenceEquals(this, other) || ToCanonicalJson().AsSpan().SequenceEqual(other.ToCanonicalJson()));

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Sequence, Kind, CallId, Time);

    /// <summary>Reads an entry from its canonical form.</summary>
    /// <exception cref="FormatException">The bytes are not an entry in canonical form; the message says what is wrong.</exception>
    public static AuditEntry Parse(ReadOnlySpan<byte> canonicalJson)
        => TryParse(canonicalJson, out var entry, out var error) ? entry : throw new FormatException(error);

    /// <summary>Reads an entry from its canonical form; false (with the reason) when the bytes are not one.</summary>
    public static bool TryParse(ReadOnlySpan<byte> canonicalJson, [NotNullWhen(true)] out AuditEntry? entry, [NotNullWhen(false)] out string? error)
        => AuditCanonicalForm.TryParse(canonicalJson, out entry, out error);
}
