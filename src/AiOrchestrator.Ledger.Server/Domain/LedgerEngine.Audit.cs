using AiOrchestrator.Audit;
using AiOrchestrator.Ledger.Server.Problems;
using AiOrchestrator.Ledger.Server.Storage;
using AiOrchestrator.Ledger.Server.Storage.Rows;

namespace AiOrchestrator.Ledger.Server.Domain;

/// <summary>
/// Audit chains, checked with the core audit log's own rules: an entry's bytes must be its canonical form
/// (<see cref="AuditEntry.TryParse"/>), its sequence its index, its <c>prev</c> the hash before it, and its hash the
/// Merkle leaf hash of its bytes (<see cref="MerkleHash.HashLeaf(ReadOnlySpan{byte})"/>). Checkpoint roots are
/// recomputed with <see cref="MerkleHash.ComputeRoot"/>.
/// </summary>
internal static partial class LedgerEngine
{
    public static readonly string ZeroHash = new('0', MerkleHash.Size * 2);

    /// <summary>
    /// Appends entries that extend the chain. Entries the ledger already holds (an upload retried) must be the same
    /// bytes and are skipped; anything else that does not extend the stored head is refused.
    /// </summary>
    public static AuditSourceRow ExtendChain(string organisation, string source, AuditSourceRow? head, IReadOnlyList<(long Index, byte[] Canonical, string Hash)> entries,
        IReadOnlyList<string> storedOverlap, DateTimeOffset now, LedgerChanges changes)
    {
        var size = head?.Size ?? 0;
        var previous = head?.Head ?? ZeroHash;
        var first = entries[0].Index;
        for (var i = 0; i < entries.Count; i++)
        {
            var (index, canonical, hash) = entries[i];
            if (index != first + i)
            {
                throw Mismatch($"Entry {i} of the upload has index {index}; indexes must be contiguous (expected {first + i}).", size, previous);
            }

            if (index < size)
            {
                var stored = index - first < storedOverlap.Count ? storedOverlap[(int)(index - first)] : null;
                if (stored != hash)
                {
                    throw Mismatch($"The ledger already holds entry {index} of source '{source}' with a different hash: the chain was rewritten.", size, previous);
                }

                continue;
            }

            if (index != size)
            {
                throw Mismatch($"Entry {index} does not follow the stored head: the ledger holds {size} entries of source '{source}', so the next index is {size}.", size, previous);
            }

            if (!AuditEntry.TryParse(canonical, out var entry, out var error))
            {
                throw new LedgerProblemException(new LedgerProblem(ProblemKind.AuditEntryInvalid, $"Entry {index}: {error}.", [new("index", index)]));
            }

            if (entry.Sequence != index)
            {
                throw new LedgerProblemException(new LedgerProblem(ProblemKind.AuditEntryInvalid,
                    $"Entry {index} says it is entry {entry.Sequence} of its log.", [new("index", index)]));
            }

            var prev = Convert.ToHexStringLower(entry.PreviousHash.Span);
            if (prev != previous)
            {
                throw Mismatch($"Entry {index} links to {prev}, but the hash before it is {previous}: it does not extend the chain.", size, previous);
            }

            var computed = Convert.ToHexStringLower(MerkleHash.HashLeaf(canonical));
            if (computed != hash)
            {
                throw new LedgerProblemException(new LedgerProblem(ProblemKind.AuditEntryInvalid,
                    $"Entry {index}'s hash is {computed}, not the {Amounts.Clip(hash)} uploaded.", [new("index", index)]));
            }

            changes.Add(new AuditEntryRow(organisation, source, index, canonical, hash));
            size++;
            previous = hash;
        }

        var updated = new AuditSourceRow(organisation, source, size, previous, now);
        changes.Put(updated);
        return updated;
    }

    /// <summary>Checks a checkpoint against the stored chain: not beyond it, and the same Merkle root over its first entries.</summary>
    public static void CheckCheckpoint(AuditSourceRow? head, long size, string rootHash, IReadOnlyList<string> leafHashes)
    {
        var stored = head?.Size ?? 0;
        if (size > stored)
        {
            throw new LedgerProblemException(new LedgerProblem(ProblemKind.CheckpointMismatch,
                $"The checkpoint covers {size} entries but the ledger holds {stored}: upload the entries first.", [new("size", stored)]));
        }

        var root = Convert.ToHexStringLower(MerkleHash.ComputeRoot(leafHashes.Select(Convert.FromHexString).ToList()));
        if (root != rootHash)
        {
            throw new LedgerProblemException(new LedgerProblem(ProblemKind.CheckpointMismatch,
                $"The Merkle root of the first {size} stored entries is {root}, not {Amounts.Clip(rootHash)}: the log was rewritten or the checkpoint is wrong.",
                [new("rootHash", root)]));
        }
    }

    private static LedgerProblemException Mismatch(string detail, long size, string head)
        => new(new LedgerProblem(ProblemKind.AuditChainMismatch, detail, [new("size", size), new("head", head)]));
}
