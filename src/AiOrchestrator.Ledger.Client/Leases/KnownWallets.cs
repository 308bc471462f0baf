using System.Globalization;
using AiOrchestrator.Budgets;

namespace AiOrchestrator.Ledger.Client.Leases;

/// <summary>The organisation's wallets as the ledger last listed them (immutable; replaced on every refresh).</summary>
internal sealed class KnownWallets
{
    public static KnownWallets NotLoaded { get; } = new(new Dictionary<WalletId, KnownWallet>(), loaded: false);

    public KnownWallets(Dictionary<WalletId, KnownWallet> byId, bool loaded)
    {
        ById = byId;
        Loaded = loaded;
    }

    public Dictionary<WalletId, KnownWallet> ById { get; }

    /// <summary>False until the ledger has listed its wallets once.</summary>
    public bool Loaded { get; }

    public static KnownWallets From(IReadOnlyList<WalletResponse> wallets)
    {
        var byId = new Dictionary<WalletId, KnownWallet>(wallets.Count);
        foreach (var wallet in wallets)
        {
            if (WalletId.TryParse(wallet.Id, out var id) && KnownWallet.TryParse(wallet, out var known))
            {
                byId[id] = known;
            }
        }

        return new KnownWallets(byId, loaded: true);
    }

    /// <summary>True when both list the same wallets (their balances aside): scope paths resolved against one hold for the other.</summary>
    public bool SameWallets(KnownWallets other)
    {
        if (Loaded != other.Loaded || ById.Count != other.ById.Count)
        {
            return false;
        }

        foreach (var id in ById.Keys)
        {
            if (!other.ById.ContainsKey(id))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>One wallet as the ledger last reported it, amounts parsed.</summary>
internal sealed record KnownWallet(string Currency, BudgetLimit Limit, decimal Spent, decimal Held, decimal TopUps, decimal AvailableAmount, DateTimeOffset? PeriodEnd)
{
    public static bool TryParse(WalletResponse wallet, out KnownWallet known)
    {
        known = null!;
        if (!Enum.TryParse<BudgetPeriod>(wallet.Period, ignoreCase: true, out var period)
            || !Amount(wallet.Limit, out var limit) || !Amount(wallet.Spent, out var spent) || !Amount(wallet.Reserved, out var reserved)
            || !Amount(wallet.Leased, out var leased) || !Amount(wallet.TopUps, out var topUps) || !Amount(wallet.Available, out var available))
        {
            return false;
        }

        known = new KnownWallet(wallet.Currency, new BudgetLimit(new Money(limit, wallet.Currency), period), spent, reserved + leased, topUps, available, wallet.PeriodEnd);
        return true;
    }

    private static bool Amount(string text, out decimal value)
        => decimal.TryParse(text, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
}
