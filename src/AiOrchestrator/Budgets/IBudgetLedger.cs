namespace AiOrchestrator.Budgets;

/// <summary>
/// Wallets with two-phase reservations: reserve the worst-case cost before a call, settle the actual cost after it
/// (or release on failure). Every mutation carries an idempotency key: the same key with the same request returns
/// the first outcome; with a different request it throws <see cref="IdempotencyConflictException"/>.
/// </summary>
/// <remarks>
/// Each mutation returns once it is applied in memory; its result's <c>Durable</c> task completes when it is on
/// disk. Await it (or <see cref="FlushAsync"/>) when a call must not proceed before its record is durable.
/// </remarks>
public interface IBudgetLedger : IBudgetReservations
{
    /// <summary>Raised once per wallet, threshold and period when posted spend reaches a soft threshold.</summary>
    event EventHandler<BudgetThresholdCrossedEventArgs>? ThresholdCrossed;

    /// <summary>Raised once per wallet and period when spend reaches the allowance or a reservation is refused.</summary>
    event EventHandler<WalletExhaustedEventArgs>? WalletExhausted;

    /// <summary>
    /// Holds <paramref name="amount"/> on every wallet in <paramref name="wallets"/>, all or nothing.
    /// </summary>
    /// <exception cref="BudgetExceededException">A wallet cannot cover the amount; nothing was reserved.</exception>
    /// <exception cref="UnknownWalletException">A wallet does not exist.</exception>
    /// <exception cref="CurrencyMismatchException">The amount is not in a wallet's currency.</exception>
    /// <exception cref="IdempotencyConflictException">The key was used for a different request.</exception>
    /// <exception cref="ArgumentException">The amount is not positive, or the wallet list is empty or repeats a wallet.</exception>
    ValueTask<Reservation> ReserveAsync(IReadOnlyList<WalletId> wallets, Money amount, string idempotencyKey, CancellationToken cancellationToken = default);

    /// <summary>
    /// Posts the actual cost of a reservation to each of its wallets and releases the rest. An actual cost above the
    /// reservation is posted too (it was spent) and reported as an overrun. A reservation that has expired is settled
    /// late: its hold is gone, so the whole cost is posted to every wallet and <see cref="Settlement.IsLate"/> is true.
    /// </summary>
    /// <exception cref="ReservationNotFoundException">The reservation is unknown.</exception>
    /// <exception cref="ReservationAlreadyResolvedException">It was already settled or released.</exception>
    ValueTask<Settlement> SettleAsync(long reservationId, Money actual, string idempotencyKey, CancellationToken cancellationToken = default);

    /// <summary>Voids a reservation: nothing is posted and its hold is released.</summary>
    /// <exception cref="ReservationNotFoundException">The reservation is unknown.</exception>
    /// <exception cref="ReservationAlreadyResolvedException">It was already settled, released or expired.</exception>
    ValueTask<LedgerReceipt> ReleaseAsync(long reservationId, string idempotencyKey, CancellationToken cancellationToken = default);

    /// <summary>Adds allowance to the wallet for its current period (permanent credit for a total limit).</summary>
    ValueTask<LedgerReceipt> TopUpAsync(WalletId wallet, Money amount, string idempotencyKey, CancellationToken cancellationToken = default);

    /// <summary>Gives spend back to the wallet (for example a provider refund).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The amount is more than the wallet has spent this period (spend never goes below zero).</exception>
    ValueTask<LedgerReceipt> RefundAsync(WalletId wallet, Money amount, string idempotencyKey, CancellationToken cancellationToken = default);

    /// <summary>Corrects the wallet's spend by a signed, non-zero amount (positive spends, negative gives back).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative amount is more than the wallet has spent this period.</exception>
    ValueTask<LedgerReceipt> AdjustAsync(WalletId wallet, Money spendChange, string idempotencyKey, CancellationToken cancellationToken = default);

    /// <summary>Changes the wallet's hard limit.</summary>
    /// <exception cref="BudgetLimitBelowSpendException">The new limit is below what is spent and reserved this period.</exception>
    ValueTask<LedgerReceipt> SetLimitAsync(WalletId wallet, Money limit, string idempotencyKey, CancellationToken cancellationToken = default);

    /// <summary>Creates a wallet, or updates its definition (limit, thresholds, period, time zone).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The period is not a defined <see cref="BudgetPeriod"/>, or the limit or a threshold is out of range.</exception>
    ValueTask<LedgerReceipt> DefineWalletAsync(WalletDefinition definition, string idempotencyKey, CancellationToken cancellationToken = default);

    /// <summary>A snapshot of the wallet in its current period.</summary>
    /// <exception cref="UnknownWalletException">The wallet does not exist.</exception>
    Wallet GetWallet(WalletId wallet);

    /// <summary>Snapshots of every wallet of the ledger.</summary>
    IReadOnlyList<Wallet> GetWallets();

    /// <summary>A reservation made within the idempotency retention window, or null.</summary>
    Reservation? FindReservation(long reservationId);

    /// <summary>
    /// The wallet's transactions, oldest first: the sum of their balance changes is the wallet's balance. History
    /// older than the retained journal segments (<see cref="BudgetOptions.MaxJournalSegments"/>) is summarized by one
    /// <see cref="WalletTransactionKind.OpeningBalance"/> transaction taken from the snapshot they were folded into.
    /// </summary>
    /// <exception cref="JournalCorruptedException">A retained journal record is damaged.</exception>
    ValueTask<IReadOnlyList<WalletTransaction>> GetHistoryAsync(WalletId wallet, CancellationToken cancellationToken = default);

    /// <summary>Completes when every mutation applied so far is on disk.</summary>
    Task FlushAsync(CancellationToken cancellationToken = default);
}
