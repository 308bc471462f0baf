namespace AiOrchestrator.Ledger.Client;

/// <summary>What the budget stage does when a call needs more than the leases hold and the ledger cannot be reached.</summary>
public enum LedgerFallback
{
    /// <summary>Refuse the call with a <see cref="Budgets.BudgetExceededException"/> that says the ledger is unreachable (the default).</summary>
    Deny,

    /// <summary>
    /// Spend from a small fixed allowance of this process (<see cref="LedgerClientOptions.FallbackAllowance"/>); such
    /// spend is logged, counted and uploaded once the ledger is back. The allowance is available again once the
    /// ledger has received it.
    /// </summary>
    Allowance,
}
