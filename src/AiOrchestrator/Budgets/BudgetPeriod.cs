namespace AiOrchestrator.Budgets;

/// <summary>How often a wallet's spend resets. Periods are calendar-aligned in the wallet's time zone.</summary>
public enum BudgetPeriod
{
    /// <summary>Resets at local midnight.</summary>
    Day,

    /// <summary>Resets at local midnight at the start of Monday (ISO weeks).</summary>
    Week,

    /// <summary>Resets at local midnight on the first day of the month.</summary>
    Month,

    /// <summary>Never resets: a lifetime (prepaid) budget.</summary>
    Total,
}
