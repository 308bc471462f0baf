using AiOrchestrator.Budgets;

namespace AiOrchestrator.Tests.Budgets;

/// <summary>The ledger's promises, checked against its own history.</summary>
internal static class LedgerInvariants
{
    /// <summary>
    /// For every wallet: balance = sum of the history's balance changes, reserved = sum of reserved changes,
    /// spent never above the allowance unless an overrun was recorded, and no reservation resolved twice.
    /// </summary>
    public static async Task AssertHoldAsync(BudgetLedger ledger, bool allowOverspend = false)
    {
        foreach (var wallet in ledger.GetWallets())
        {
            var history = await ledger.GetHistoryAsync(wallet.Id);
            history.Sum(t => t.BalanceChange).Should().Be(wallet.Balance.Amount, $"the history of {wallet.Id} explains its balance");
            history.Sum(t => t.ReservedChange).Should().Be(wallet.Reserved.Amount, $"the history of {wallet.Id} explains its reserved amount");
            history.Select(t => t.Sequence).Should().BeInAscendingOrder();
            if (!allowOverspend)
            {
                wallet.Spent.Amount.Should().BeLessThanOrEqualTo(wallet.Limit.Amount.Amount + wallet.TopUps.Amount, $"{wallet.Id} is never overspent");
            }

            var resolutions = history
                .Where(t => t.Kind is WalletTransactionKind.Settle or WalletTransactionKind.Release or WalletTransactionKind.Expire)
                .GroupBy(t => t.ReservationId)
                .Where(g => g.Count() > 1)
                .Select(g => g.Key)
                .ToList();
            resolutions.Should().BeEmpty($"a reservation of {wallet.Id} resolves at most once");
            var reserves = history.Where(t => t.Kind == WalletTransactionKind.Reserve).Select(t => t.ReservationId).ToList();
            reserves.Should().OnlyHaveUniqueItems();
        }
    }
}
