using Microsoft.Extensions.Logging;

namespace AiOrchestrator.Http.Pipeline;

/// <summary>The log messages of the HTTP handlers (event ids 4001-4099).</summary>
internal static partial class HttpLog
{
    [LoggerMessage(4001, LogLevel.Warning, "The usage {Provider} reported for model {Model} is invalid; the attempt's usage is estimated instead.")]
    public static partial void BadUsage(ILogger logger, Exception exception, string provider, string model);

    [LoggerMessage(4002, LogLevel.Warning, "The response of {Provider} for model {Model} cannot be metered: {Reason}")]
    public static partial void BadResponse(ILogger logger, string provider, string model, string reason);

    [LoggerMessage(4003, LogLevel.Warning, "The stream of model {Model} was cut off: its estimated cost {Cost} ran past the {Reserved} reserved for it.")]
    public static partial void CutOff(ILogger logger, string model, Money cost, Money reserved);

    [LoggerMessage(4004, LogLevel.Warning, "The call to model {Model} cost {Overrun} more than the {Reserved} reserved for it; the overrun was posted to its wallets.")]
    public static partial void Overrun(ILogger logger, string model, Money overrun, Money reserved);

    [LoggerMessage(4005, LogLevel.Error, "Resolving budget reservation {ReservationId} of the call to model {Model} failed; the ledger expires it after its timeout.")]
    public static partial void ResolveFailed(ILogger logger, Exception exception, long reservationId, string model);

    [LoggerMessage(4006, LogLevel.Error, "Metering an attempt of the call to model {Model} failed; its cost is settled from the request's price.")]
    public static partial void RecordFailed(ILogger logger, Exception exception, string model);

    [LoggerMessage(4007, LogLevel.Warning, "Budget reservation {ReservationId} of the call to model {Model} had expired before the call ended; its cost {Cost} was posted to the wallets as an adjustment.")]
    public static partial void PostedAfterExpiry(ILogger logger, long reservationId, string model, Money cost);
}
