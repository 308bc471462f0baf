namespace AiOrchestrator.Budgets;

/// <summary>The remembered outcome of a refused reservation, so that a retry with the same key is refused the same way.</summary>
internal sealed class Rejection(WalletId[] wallets, Money requested, WalletId wallet, BudgetLimit limit, Money spent, Money reserved, Money topUps, DateTimeOffset? resetsAt)
{
    public WalletId[] Wallets { get; } = wallets;

    public Money Requested { get; } = requested;

    public WalletId Wallet { get; } = wallet;

    public BudgetLimit Limit { get; } = limit;

    public Money Spent { get; } = spent;

    public Money Reserved { get; } = reserved;

    public Money TopUps { get; } = topUps;

    public DateTimeOffset? ResetsAt { get; } = resetsAt;

    public BudgetExceededException ToException() => new(Wallet, Limit, Spent, Reserved, TopUps, Requested, ResetsAt);
}
