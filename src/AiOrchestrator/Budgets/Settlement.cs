namespace AiOrchestrator.Budgets;

/// <summary>The outcome of settling a reservation: what was posted, released, and any overrun.</summary>
public sealed class Settlement
{
    internal Settlement(long reservationId, long sequence, Money posted, Money released, Money overrun, bool isLate)
    {
        IsLate = isLate;
        ReservationId = reservationId;
        Sequence = sequence;
        Posted = posted;
        Released = released;
        Overrun = overrun;
    }

    /// <summary>The reservation settled.</summary>
    public long ReservationId { get; }

    /// <summary>The journal sequence number of the settlement.</summary>
    public long Sequence { get; }

    /// <summary>The actual cost posted to every wallet of the reservation.</summary>
    public Money Posted { get; }

    /// <summary>The part of the reservation not used and released.</summary>
    public Money Released { get; }

    /// <summary>How much the actual cost exceeded the reservation (zero normally); it is posted regardless.</summary>
    public Money Overrun { get; }

    /// <summary>True when the actual cost exceeded the reservation.</summary>
    public bool IsOverrun => Overrun.Amount > 0m;

    /// <summary>
    /// True when the reservation had already expired (its hold was released) when it was settled: the actual cost
    /// was posted in full to every wallet of the reservation.
    /// </summary>
    public bool IsLate { get; }

    /// <summary>Completes when the settlement is on disk.</summary>
    public Task Durable { get; internal set; } = Task.CompletedTask;
}
