using AiOrchestrator.Ledger.Server.Problems;
using AiOrchestrator.Ledger.Server.Storage;
using AiOrchestrator.Ledger.Server.Storage.Rows;

namespace AiOrchestrator.Ledger.Server.Domain;

/// <summary>Reservations (two-phase: reserve, then commit or release; expiry) and leases (grant, renew, return, expiry).</summary>
internal static partial class LedgerEngine
{
    public static ReservationRow Reserve(string organisation, string id, WalletRow[] wallets, decimal amount, string currency, int ttlSeconds,
        string? reference, DateTimeOffset now, LedgerChanges changes)
    {
        RequireAvailable(wallets, amount);
        foreach (var w in wallets)
        {
            var held = w with { Reserved = w.Reserved + amount, Version = w.Version + 1 };
            changes.Put(held);
            changes.Add(Transaction(held, TransactionKinds.Reserved, amount, 0m, now, id));
        }

        var reservation = new ReservationRow(organisation, id, wallets.Select(w => w.Id).ToArray(), amount, currency, HoldState.Open, null, now,
            now.AddSeconds(ttlSeconds), reference);
        changes.Put(reservation);
        return reservation;
    }

    /// <summary>True when an open hold is past its expiry.</summary>
    public static bool IsDue(HoldState state, DateTimeOffset expiresAt, DateTimeOffset now) => state == HoldState.Open && expiresAt <= now;

    /// <summary>Closes a reservation: commit (spend <paramref name="committed"/>), release, or expire; the hold comes off every wallet.</summary>
    public static ReservationRow Close(ReservationRow reservation, WalletRow[] wallets, HoldState outcome, decimal committed, DateTimeOffset now, LedgerChanges changes)
    {
        var kind = outcome switch
        {
            HoldState.Committed => TransactionKinds.Committed,
            HoldState.Released => TransactionKinds.Released,
            _ => TransactionKinds.Expired,
        };
        foreach (var w in wallets)
        {
            var after = w with
            {
                Reserved = Math.Max(0m, w.Reserved - reservation.Amount),
                Spent = w.Spent + committed,
                Version = w.Version + 1,
            };
            changes.Put(after);
            changes.Add(Transaction(after, kind, outcome == HoldState.Committed ? committed : reservation.Amount, committed, now, reservation.Id));
        }

        var closed = reservation with { Status = outcome, Committed = outcome == HoldState.Committed ? committed : null };
        changes.Put(closed);
        return closed;
    }

    /// <summary>Rejects a commit, release, renew or return of a hold that is not open.</summary>
    public static LedgerProblem NotOpen(string what, string id, HoldState state)
        => new(state == HoldState.Expired ? ProblemKind.HoldExpired : ProblemKind.HoldClosed,
            $"The {what} '{id}' is {StateName(what, state)}; it can no longer change.", [new("holdStatus", StateName(what, state))]);

    public static string StateName(string what, HoldState state) => (what, state) switch
    {
        ("lease", HoldState.Open) => "active",
        ("lease", HoldState.Released) => "returned",
        (_, HoldState.Open) => "pending",
        (_, HoldState.Committed) => "committed",
        (_, HoldState.Released) => "released",
        _ => "expired",
    };

    public static LeaseRow Lease(string organisation, string id, WalletRow[] wallets, decimal amount, string currency, int ttlSeconds, string holder,
        DateTimeOffset now, LedgerChanges changes)
    {
        RequireAvailable(wallets, amount);
        foreach (var w in wallets)
        {
            var held = w with { Leased = w.Leased + amount, Version = w.Version + 1 };
            changes.Put(held);
            changes.Add(Transaction(held, TransactionKinds.Leased, amount, 0m, now, id));
        }

        var lease = new LeaseRow(organisation, id, wallets.Select(w => w.Id).ToArray(), amount, 0m, currency, holder, HoldState.Open, now, now.AddSeconds(ttlSeconds));
        changes.Put(lease);
        return lease;
    }

    public static LeaseRow Renew(LeaseRow lease, WalletRow[] wallets, decimal add, int ttlSeconds, DateTimeOffset now, LedgerChanges changes)
    {
        if (add > 0)
        {
            RequireAvailable(wallets, add);
        }

        var heldBefore = Held(lease);
        var renewed = lease with { Amount = lease.Amount + add, ExpiresAt = now.AddSeconds(ttlSeconds) };
        var grow = Held(renewed) - heldBefore;
        foreach (var w in wallets)
        {
            var after = w with { Leased = w.Leased + grow, Version = w.Version + 1 };
            changes.Put(after);
            changes.Add(Transaction(after, TransactionKinds.LeaseRenewed, add, 0m, now, lease.Id));
        }

        changes.Put(renewed);
        return renewed;
    }

    /// <summary>Returns or expires a lease: what it still holds comes back to every wallet.</summary>
    public static LeaseRow CloseLease(LeaseRow lease, WalletRow[] wallets, HoldState outcome, DateTimeOffset now, LedgerChanges changes)
    {
        var held = Held(lease);
        foreach (var w in wallets)
        {
            var after = w with { Leased = Math.Max(0m, w.Leased - held), Version = w.Version + 1 };
            changes.Put(after);
            changes.Add(Transaction(after, outcome == HoldState.Expired ? TransactionKinds.LeaseExpired : TransactionKinds.LeaseReturned, held, 0m, now, lease.Id));
        }

        var closed = lease with { Status = outcome };
        changes.Put(closed);
        return closed;
    }

    /// <summary>What an open lease still holds on its wallets.</summary>
    public static decimal Held(LeaseRow lease) => Math.Max(0m, lease.Amount - lease.Used);
}
