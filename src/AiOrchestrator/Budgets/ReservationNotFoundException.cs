namespace AiOrchestrator.Budgets;

/// <summary>
/// A reservation id is unknown: it was never made, or it was resolved longer ago than the idempotency retention.
/// The ledger is unchanged.
/// </summary>
public sealed class ReservationNotFoundException : KeyNotFoundException
{
    /// <summary>Creates the exception for a reservation id.</summary>
    public ReservationNotFoundException(long reservationId)
        : base($"Reservation {reservationId} does not exist (or was resolved longer ago than the idempotency retention). Settle or release only reservations returned by ReserveAsync.")
    {
        ReservationId = reservationId;
    }

    /// <summary>The id named.</summary>
    public long ReservationId { get; }
}
