using System.Globalization;

namespace AiOrchestrator.Budgets;

/// <summary>
/// A reservation was refused because one wallet on the scope path cannot cover it. Nothing was reserved on any
/// wallet. Retrying with the same idempotency key gives the same refusal.
/// </summary>
public sealed class BudgetExceededException : InvalidOperationException
{
    /// <summary>Creates the exception from the state of the wallet that refused.</summary>
    public BudgetExceededException(WalletId wallet, BudgetLimit limit, Money spent, Money reserved, Money topUps, Money requested, DateTimeOffset? resetsAt)
        : base(Describe(wallet, limit, spent, reserved, topUps, requested, resetsAt))
    {
        Wallet = wallet;
        Limit = limit;
        Spent = spent;
        Reserved = reserved;
        TopUps = topUps;
        Requested = requested;
        ResetsAt = resetsAt;
    }

    /// <summary>Creates the exception with its own message, for a refusal that is not about the wallet's balance alone (a central ledger that cannot be reached).</summary>
    internal BudgetExceededException(string message, WalletId wallet, BudgetLimit limit, Money spent, Money reserved, Money topUps, Money requested, DateTimeOffset? resetsAt)
        : base(message)
    {
        Wallet = wallet;
        Limit = limit;
        Spent = spent;
        Reserved = reserved;
        TopUps = topUps;
        Requested = requested;
        ResetsAt = resetsAt;
    }

    /// <summary>The wallet that refused.</summary>
    public WalletId Wallet { get; }

    /// <summary>Its hard limit and period.</summary>
    public BudgetLimit Limit { get; }

    /// <summary>Posted spend in the current period.</summary>
    public Money Spent { get; }

    /// <summary>Held by pending reservations.</summary>
    public Money Reserved { get; }

    /// <summary>Top-ups in the current period.</summary>
    public Money TopUps { get; }

    /// <summary>The amount asked for.</summary>
    public Money Requested { get; }

    /// <summary>What was available: limit + top-ups − spent − reserved (never below zero).</summary>
    public Money Available
    {
        get
        {
            var available = Limit.Amount + TopUps - Spent - Reserved;
            return available.Amount > 0m ? available : new Money(0m, available.Currency);
        }
    }

    /// <summary>When the period resets, or null for a total (lifetime) limit.</summary>
    public DateTimeOffset? ResetsAt { get; }

    private static string Describe(WalletId wallet, BudgetLimit limit, Money spent, Money reserved, Money topUps, Money requested, DateTimeOffset? resetsAt)
    {
        var available = limit.Amount + topUps - spent - reserved;
        if (available.Amount < 0m)
        {
            available = new Money(0m, available.Currency);
        }

        var when = resetsAt is { } r
            ? string.Create(CultureInfo.InvariantCulture, $"It resets at {r:O}; raise the limit, top up the wallet, or retry after the reset.")
            : "It is a total limit and never resets; raise the limit or top up the wallet.";
        return string.Create(CultureInfo.InvariantCulture,
            $"Wallet '{wallet}' cannot cover {requested}: {available} of its {limit.Period} limit of {limit.Amount} is available (spent {spent}, reserved {reserved}, top-ups {topUps}). {when}");
    }
}
