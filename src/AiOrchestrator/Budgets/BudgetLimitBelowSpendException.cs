namespace AiOrchestrator.Budgets;

/// <summary>A new limit was lower than what the wallet has already spent and reserved this period. The ledger is unchanged.</summary>
public sealed class BudgetLimitBelowSpendException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public BudgetLimitBelowSpendException(WalletId wallet, Money requestedLimit, Money spent, Money reserved)
        : base($"Cannot set the limit of wallet '{wallet}' to {requestedLimit}: it has already spent {spent} and reserved {reserved} this period. Choose a limit of at least {spent + reserved}.")
    {
        Wallet = wallet;
        RequestedLimit = requestedLimit;
        Spent = spent;
        Reserved = reserved;
    }

    /// <summary>The wallet.</summary>
    public WalletId Wallet { get; }

    /// <summary>The limit asked for.</summary>
    public Money RequestedLimit { get; }

    /// <summary>Posted spend in the current period.</summary>
    public Money Spent { get; }

    /// <summary>Held by pending reservations.</summary>
    public Money Reserved { get; }
}
