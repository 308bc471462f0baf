namespace AiOrchestrator.Budgets;

/// <summary>
/// A reservation was settled or released after it had already been resolved (settled, released or expired).
/// A reservation resolves at most once; the ledger is unchanged.
/// </summary>
public sealed class ReservationAlreadyResolvedException : InvalidOperationException
{
    /// <summary>Creates the exception for a reservation and its status.</summary>
    public ReservationAlreadyResolvedException(long reservationId, ReservationStatus status)
        : base($"Reservation {reservationId} is already {status.ToString().ToLowerInvariant()}; it cannot be resolved again. "
            + (status == ReservationStatus.Expired
                ? "Raise the reservation timeout (ReservationTimeout) above the longest call, or record the cost with AdjustAsync."
                : "To retry a settle or release, reuse its idempotency key."))
    {
        ReservationId = reservationId;
        Status = status;
    }

    /// <summary>The reservation.</summary>
    public long ReservationId { get; }

    /// <summary>How it was resolved.</summary>
    public ReservationStatus Status { get; }
}
