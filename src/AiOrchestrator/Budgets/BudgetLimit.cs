namespace AiOrchestrator.Budgets;

/// <summary>A hard spending limit: at most <see cref="Amount"/> per <see cref="Period"/>.</summary>
/// <param name="Amount">The most that may be posted in one period; its currency is the wallet's currency.</param>
/// <param name="Period">How often the spend resets.</param>
public readonly record struct BudgetLimit(Money Amount, BudgetPeriod Period);
