using AiOrchestrator.Budgets;

namespace AiOrchestrator.Ledger.Client.Leases;

/// <summary>A pending reservation of one call attempt: where its hold is (a lease, or the fallback allowance).</summary>
internal sealed class HeldCall(Reservation reservation, WalletPath path, LeaseHold? lease)
{
    public Reservation Reservation { get; } = reservation;

    public WalletPath Path { get; } = path;

    /// <summary>The lease it holds on; null when it holds on the fallback allowance.</summary>
    public LeaseHold? Lease { get; } = lease;

    public bool IsFallback => Lease is null;

    /// <summary>True once it expired: its hold is gone, a settle is late.</summary>
    public bool Expired { get; set; }
}
