namespace AiOrchestrator.Budgets;

/// <summary>The kinds of record in the budget journal. Values are stored on disk: never renumber.</summary>
internal enum JournalEntryKind : byte
{
    Define = 1,
    SetLimit = 2,
    Reserve = 3,
    Reject = 4,
    Settle = 5,
    Release = 6,
    Expire = 7,
    TopUp = 8,
    Refund = 9,
    Adjust = 10,
    Rollover = 11,
    LateSettle = 12,
}
