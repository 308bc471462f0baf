namespace AiOrchestrator.Budgets;

/// <summary>A wallet's posted spend reached a soft threshold (raised once per wallet, threshold and period).</summary>
public sealed class BudgetThresholdCrossedEventArgs : EventArgs
{
    internal BudgetThresholdCrossedEventArgs(WalletId wallet, decimal threshold, Money spent, Money allowance, DateTimeOffset periodStart, DateTimeOffset? resetsAt)
    {
        Wallet = wallet;
        Threshold = threshold;
        Spent = spent;
        Allowance = allowance;
        PeriodStart = periodStart;
        ResetsAt = resetsAt;
    }

    /// <summary>The wallet.</summary>
    public WalletId Wallet { get; }

    /// <summary>The threshold crossed, as a fraction of the allowance (0.8 = 80 %).</summary>
    public decimal Threshold { get; }

    /// <summary>Posted spend in the period.</summary>
    public Money Spent { get; }

    /// <summary>The period's allowance: limit + top-ups.</summary>
    public Money Allowance { get; }

    /// <summary>The start of the period.</summary>
    public DateTimeOffset PeriodStart { get; }

    /// <summary>When the period resets, or null for a total limit.</summary>
    public DateTimeOffset? ResetsAt { get; }
}
