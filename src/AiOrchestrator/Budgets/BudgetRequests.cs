namespace AiOrchestrator.Budgets;

/// <summary>Checks shared by the ledger's operations.</summary>
internal static class BudgetRequests
{
    public static bool SameWallets(WalletId[] first, IReadOnlyList<WalletId> second)
    {
        if (first.Length != second.Count)
        {
            return false;
        }

        for (var i = 0; i < first.Length; i++)
        {
            if (first[i] != second[i])
            {
                return false;
            }
        }

        return true;
    }

    public static void PositiveAmount(Money amount, string parameter)
    {
        if (amount.Amount <= 0m)
        {
            throw new ArgumentOutOfRangeException(parameter, amount.Amount, $"The amount must be greater than zero; got {amount}.");
        }
    }

    public static ArgumentOutOfRangeException UnknownPeriod(BudgetPeriod period, string parameter)
        => new(parameter, period, $"Unknown budget period {(int)period}; use one of: {string.Join(", ", Enum.GetNames<BudgetPeriod>())}.");

    public static void CallAttempt(AiCallId callId, int attempt)
    {
        if (callId.Value == Guid.Empty)
        {
            throw new ArgumentException("The call id is empty; create one with AiCallId.New.", nameof(callId));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(attempt);
    }

    public static void IdempotencyKey(string idempotencyKey)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(idempotencyKey);
        if (idempotencyKey.Length > 256)
        {
            throw new ArgumentException("An idempotency key must be at most 256 characters.", nameof(idempotencyKey));
        }
    }
}
