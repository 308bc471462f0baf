namespace AiOrchestrator.Budgets;

/// <summary>
/// A wallet ran out in the current period: its posted spend reached the allowance, or it refused a reservation.
/// Raised once per wallet and period, so an app can alert or switch to a cheaper model.
/// </summary>
public sealed class WalletExhaustedEventArgs : EventArgs
{
    internal WalletExhaustedEventArgs(WalletId wallet, Money spent, Money reserved, Money allowance, Money requested, DateTimeOffset? resetsAt)
    {
        Wallet = wallet;
        Spent = spent;
        Reserved = reserved;
        Allowance = allowance;
        Requested = requested;
        ResetsAt = resetsAt;
    }

    /// <summary>The wallet.</summary>
    public WalletId Wallet { get; }

    /// <summary>Posted spend in the period.</summary>
    public Money Spent { get; }

    /// <summary>Held by pending reservations.</summary>
    public Money Reserved { get; }

    /// <summary>The period's allowance: limit + top-ups.</summary>
    public Money Allowance { get; }

    /// <summary>The amount of the refused reservation, or zero when spend reached the allowance.</summary>
    public Money Requested { get; }

    /// <summary>When the period resets, or null for a total limit.</summary>
    public DateTimeOffset? ResetsAt { get; }
}
