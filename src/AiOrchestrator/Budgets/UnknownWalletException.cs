namespace AiOrchestrator.Budgets;

/// <summary>A wallet was named that the ledger does not have. The ledger is unchanged.</summary>
public sealed class UnknownWalletException : KeyNotFoundException
{
    /// <summary>Creates the exception for a wallet id.</summary>
    public UnknownWalletException(WalletId wallet)
        : base($"Wallet '{wallet}' does not exist. Define it in the budget options (Wallets) or with DefineWalletAsync first.")
    {
        Wallet = wallet;
    }

    /// <summary>The wallet named.</summary>
    public WalletId Wallet { get; }
}
