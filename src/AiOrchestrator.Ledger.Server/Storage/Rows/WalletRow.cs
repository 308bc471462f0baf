using AiOrchestrator.Budgets;

namespace AiOrchestrator.Ledger.Server.Storage.Rows;

/// <summary>
/// A wallet: its definition and its counters for the period that starts at <see cref="PeriodStart"/>. Top-ups and
/// spent belong to that period; reserved and leased are open holds, carried across periods. The engine rolls the
/// period forward when it touches the wallet.
/// </summary>
internal sealed record WalletRow(
    string Organisation,
    string Id,
    string Currency,
    decimal Limit,
    BudgetPeriod Period,
    string TimeZone,
    IReadOnlyList<decimal> Thresholds,
    DateTimeOffset PeriodStart,
    decimal TopUps,
    decimal Spent,
    decimal Reserved,
    decimal Leased,
    long Version,
    DateTimeOffset CreatedAt);
