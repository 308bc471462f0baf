namespace AiOrchestrator.Budgets;

/// <summary>Where a reservation is in its life. It leaves <see cref="Pending"/> at most once.</summary>
public enum ReservationStatus
{
    /// <summary>Held: the amount counts against every wallet on its path.</summary>
    Pending,

    /// <summary>The actual cost was posted and the rest released.</summary>
    Settled,

    /// <summary>Voided: nothing was posted (failure, cancellation, or a restart after a crash).</summary>
    Released,

    /// <summary>Voided because it was neither settled nor released before it expired.</summary>
    Expired,
}
