namespace AiOrchestrator.Budgets;

/// <summary>A snapshot of one wallet: its limit and what is spent, reserved and available in the current period.</summary>
public sealed record Wallet
{
    /// <summary>The wallet.</summary>
    public required WalletId Id { get; init; }

    /// <summary>The hard limit per period.</summary>
    public required BudgetLimit Limit { get; init; }

    /// <summary>Top-ups in the current period (they raise this period's allowance).</summary>
    public required Money TopUps { get; init; }

    /// <summary>Posted spend in the current period (settlements and adjustments, less refunds).</summary>
    public required Money Spent { get; init; }

    /// <summary>Held by pending reservations.</summary>
    public required Money Reserved { get; init; }

    /// <summary>The balance: limit + top-ups − spent. It is the sum of the history's balance changes.</summary>
    public Money Balance => Limit.Amount + TopUps - Spent;

    /// <summary>What a new reservation can still take: balance − reserved, never below zero.</summary>
    public Money Available
    {
        get
        {
            var available = Balance - Reserved;
            return available.Amount > 0m ? available : new Money(0m, available.Currency);
        }
    }

    /// <summary>The start of the current period.</summary>
    public required DateTimeOffset PeriodStart { get; init; }

    /// <summary>When the current period ends and spend resets, or null for a <see cref="BudgetPeriod.Total"/> limit.</summary>
    public required DateTimeOffset? ResetsAt { get; init; }

    /// <summary>The soft thresholds already crossed in this period.</summary>
    public required IReadOnlyList<decimal> CrossedThresholds { get; init; }

    /// <summary>How many settlements posted more than their reservation held, since the wallet was created.</summary>
    public long Overruns { get; init; }

    /// <summary>The total by which settlements exceeded their reservations, since the wallet was created.</summary>
    public Money OverrunAmount { get; init; }

    /// <summary>The definition the wallet follows.</summary>
    public required WalletDefinition Definition { get; init; }
}
