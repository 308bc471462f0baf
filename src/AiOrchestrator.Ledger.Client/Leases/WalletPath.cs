using AiOrchestrator.Budgets;

namespace AiOrchestrator.Ledger.Client.Leases;

/// <summary>
/// The state of one wallet path (the wallets one call pays from, most specific first): its current lease, its spend
/// rate, and the one network operation on it at a time. Everything but <see cref="Gate"/> is guarded by <see cref="Lock"/>.
/// </summary>
internal sealed class WalletPath
{
    public WalletPath(WalletId[] wallets)
    {
        Wallets = wallets;
        WalletIds = new string[wallets.Length];
        for (var i = 0; i < wallets.Length; i++)
        {
            WalletIds[i] = wallets[i].Value;
        }

        Text = string.Join(", ", WalletIds);
    }

    public WalletId[] Wallets { get; }

    /// <summary>The wallet ids as the ledger writes them.</summary>
    public string[] WalletIds { get; }

    /// <summary>The path for messages.</summary>
    public string Text { get; }

    public Lock Lock { get; } = new();

    /// <summary>One lease request (take, renew, return) on this path at a time.</summary>
    public SemaphoreSlim Gate { get; } = new(1, 1);

    /// <summary>The lease new reservations spend from, or null.</summary>
    public LeaseHold? Lease { get; set; }

    /// <summary>Reservations pending on this path (any lease, or the fallback).</summary>
    public int Holds { get; set; }

    /// <summary>The spend rate per second (moving average).</summary>
    public decimal Rate { get; set; }

    /// <summary>Settled since the rate was last sampled.</summary>
    public decimal SpentSinceSample { get; set; }

    public DateTimeOffset LastSample { get; set; }

    /// <summary>When a reservation last asked this path for money.</summary>
    public DateTimeOffset LastUsed { get; set; }

    /// <summary>Until when the ledger is taken to have nothing more for this path (it refused a lease).</summary>
    public DateTimeOffset RefusedUntil { get; set; }

    /// <summary>A lease request that got no answer: sent again with the same key and body, so the ledger applies it once.</summary>
    public PendingLeaseRequest? Pending { get; set; }
}

/// <summary>A lease request on its way: its idempotency key, what it asks, and the lease it renews (null for a new lease).</summary>
internal sealed record PendingLeaseRequest(string IdempotencyKey, string? LeaseId, LeaseRequest? Take, LeaseRenewRequest? Renew);
