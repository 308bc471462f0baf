using AiOrchestrator.Pipeline;

namespace AiOrchestrator.Budgets;

/// <summary>
/// A ledger that keeps what an attempt was (scope, provider, model, tokens) with its spend: the budget stage settles
/// through this instead of <see cref="IBudgetReservations.SettleAsync"/> when its ledger implements it, so a ledger
/// that reports spend elsewhere (the central ledger's usage records) can say what the spend was for.
/// </summary>
internal interface IAttemptSettlement
{
    /// <summary>Settles <paramref name="attempt"/>'s reservation at <paramref name="actual"/>, as <see cref="IBudgetReservations.SettleAsync"/> does.</summary>
    ValueTask<Settlement> SettleAsync(AiCallAttempt attempt, Reservation reservation, Money actual, CancellationToken cancellationToken);
}
