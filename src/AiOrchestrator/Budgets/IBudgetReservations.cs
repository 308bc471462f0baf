namespace AiOrchestrator.Budgets;

/// <summary>
/// The narrow interface the budget stage uses on every call: which wallets pay, how much they still have, and the
/// two-phase reserve / settle / release of one call attempt. Idempotency is keyed by the call id and the attempt
/// number (no formatted strings), so what a ledger remembers per resolved call stays small. Implemented by the local
/// <see cref="BudgetLedger"/> and by ledgers that spend from leases of a central ledger.
/// </summary>
public interface IBudgetReservations
{
    /// <summary>The wallets of <paramref name="scope"/> that exist, most specific first; empty when none does (no allocation).</summary>
    IReadOnlyList<WalletId> GetWalletPath(AiScope scope);

    /// <summary>
    /// The least that any of <paramref name="wallets"/> still has available in its current period, never below zero.
    /// </summary>
    /// <exception cref="UnknownWalletException">A wallet does not exist.</exception>
    /// <exception cref="CurrencyMismatchException">A wallet is not in <paramref name="currency"/>.</exception>
    Money GetAvailable(IReadOnlyList<WalletId> wallets, string currency);

    /// <summary>
    /// Holds <paramref name="amount"/> on every wallet in <paramref name="wallets"/>, all or nothing, for attempt
    /// <paramref name="attempt"/> of call <paramref name="callId"/>. A retry with the same call and attempt returns the
    /// first outcome (a refusal stays a refusal).
    /// </summary>
    /// <exception cref="BudgetExceededException">A wallet cannot cover the amount; nothing was reserved.</exception>
    ValueTask<Reservation> ReserveAsync(AiCallId callId, int attempt, IReadOnlyList<WalletId> wallets, Money amount, CancellationToken cancellationToken = default);

    /// <summary>
    /// Posts <paramref name="actual"/> to every wallet of the reservation and releases the rest of its hold. A
    /// reservation that has expired meanwhile is still settled: its hold is gone, so the cost is posted in full
    /// (the settlement says it was late). An amount above the reservation is posted and reported as an overrun.
    /// </summary>
    /// <exception cref="ReservationAlreadyResolvedException">It was already settled or released.</exception>
    ValueTask<Settlement> SettleAsync(AiCallId callId, int attempt, Reservation reservation, Money actual, CancellationToken cancellationToken = default);

    /// <summary>Voids the reservation; nothing is posted. Releasing an expired reservation does nothing.</summary>
    /// <exception cref="ReservationAlreadyResolvedException">It was already settled.</exception>
    ValueTask ReleaseAsync(AiCallId callId, int attempt, Reservation reservation, CancellationToken cancellationToken = default);
}
