namespace AiOrchestrator.Budgets;

/// <summary>
/// What the ledger remembers of one resolved (or pending) call attempt on the hot path: enough to answer a retry
/// with the first outcome and to detect a different request under the same key, in 64 bytes and no objects.
/// </summary>
internal struct CallRecord
{
    /// <summary>The reservation, or 0 when the reserve was refused.</summary>
    public long ReservationId;

    /// <summary>UTC ticks of the reserve (the retention clock).</summary>
    public long Ticks;

    /// <summary>The journal sequence of the settle or release (0 while pending).</summary>
    public long Sequence;

    /// <summary>The amount reserved (or refused).</summary>
    public decimal Amount;

    /// <summary>The settled cost.</summary>
    public decimal Actual;

    /// <summary>A stable hash of the wallet path, to tell a different request under the same key.</summary>
    public uint WalletsHash;

    public CallState State;

    /// <summary>FNV-1a over the wallet ids' characters: the same in every process (string hash codes are not).</summary>
    public static uint HashWallets(IReadOnlyList<WalletId> wallets)
    {
        var hash = 2166136261u;
        for (var i = 0; i < wallets.Count; i++)
        {
            foreach (var c in wallets[i].Value)
            {
                hash = (hash ^ c) * 16777619u;
            }

            hash = (hash ^ '|') * 16777619u;
        }

        return hash;
    }
}

/// <summary>Where a call attempt's reservation stands. Values are stored in snapshots: never renumber.</summary>
internal enum CallState : byte
{
    Reserved = 1,
    Refused = 2,
    Settled = 3,
    Released = 4,
    Expired = 5,
    LateSettled = 6,
}
