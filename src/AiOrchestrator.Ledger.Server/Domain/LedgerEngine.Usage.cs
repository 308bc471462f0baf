using AiOrchestrator.Ledger.Server.Problems;
using AiOrchestrator.Ledger.Server.Storage;
using AiOrchestrator.Ledger.Server.Storage.Rows;

namespace AiOrchestrator.Ledger.Server.Domain;

/// <summary>Usage batches: the source's sequence, record de-duplication, and posting against leases or directly.</summary>
internal static partial class LedgerEngine
{
    /// <summary>Where a batch stands against its source: a replay, the next batch, or a gap.</summary>
    public static bool IsReplay(UsageSourceRow? source, long sequence, out long expected)
    {
        var last = source?.LastSequence ?? 0;
        expected = last + 1;
        if (sequence <= last)
        {
            return true;
        }

        if (sequence != expected)
        {
            throw new LedgerProblemException(new LedgerProblem(ProblemKind.UsageSequenceGap,
                $"Batch {sequence} skips a sequence number: the ledger expects batch {expected} of this source next. Upload the missing batches in order.",
                [new("expectedSequence", expected)]));
        }

        return false;
    }

    /// <summary>
    /// Posts one usage record: spend on every wallet it names. When it names an open lease, the lease's hold shrinks
    /// by what was spent (never below zero); a closed, expired or unknown lease does not stop the post: spent money is
    /// never lost. <paramref name="wallets"/> and <paramref name="leases"/> hold the unit's current rows and are updated.
    /// </summary>
    public static UsageRecordRow PostUsage(string organisation, string source, long sequence, UsageDraft record, Dictionary<string, WalletRow> wallets,
        Dictionary<string, LeaseRow> leases, DateTimeOffset now, LedgerChanges changes)
    {
        string? spentFrom = null;
        if (record.Lease is { } leaseId && leases.TryGetValue(leaseId, out var lease) && lease.Status == HoldState.Open)
        {
            var heldBefore = Held(lease);
            var used = lease with { Used = lease.Used + record.Amount };
            var released = heldBefore - Held(used);
            foreach (var walletId in lease.Wallets)
            {
                if (wallets.TryGetValue(walletId, out var w))
                {
                    wallets[walletId] = w with { Leased = Math.Max(0m, w.Leased - released) };
                }
            }

            leases[leaseId] = used;
            changes.Put(used);
            spentFrom = leaseId;
        }

        foreach (var walletId in record.Wallets)
        {
            var w = wallets[walletId];
            w = w with { Spent = w.Spent + record.Amount, Version = w.Version + 1 };
            wallets[walletId] = w;
            changes.Add(Transaction(w, TransactionKinds.Usage, record.Amount, record.Amount, now, record.Id));
        }

        var row = new UsageRecordRow(organisation, record.Id, source, sequence, record.Wallets, record.Amount, record.Currency, record.At, spentFrom,
            record.Scope, record.Provider, record.Model, record.InputTokens, record.OutputTokens);
        changes.Add(row);
        return row;
    }
}

/// <summary>A validated usage record of a batch.</summary>
internal sealed record UsageDraft(
    string Id,
    string[] Wallets,
    decimal Amount,
    string Currency,
    DateTimeOffset At,
    string? Lease,
    string? Scope,
    string? Provider,
    string? Model,
    long InputTokens,
    long OutputTokens);
