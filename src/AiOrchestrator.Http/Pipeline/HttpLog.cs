using Microsoft.Extensions.Logging;

namespace AiOrchestrator.Http.Pipeline;

/// <summary>The HTTP handlers' log messages (event ids 4001-4099).</summary>
internal static partial class HttpLog
{
    [LoggerMessage(4002, LogLevel.Warning, "The response of {Provider} for model {Model} cannot be metered: {Reason}")]
    public static partial void BadResponse(ILogger logger, string provider, string model, string reason);

    [LoggerMessage(4003, LogLevel.Warning, "The stream of model {Model} was cut off: {Seen} output tokens seen, past the cap of {Cap} sent with it.")]
    public static partial void CutOff(ILogger logger, string model, long seen, long cap);

    [LoggerMessage(4005, LogLevel.Error, "Ending an attempt of the call to model {Model} failed; a reservation it held expires after its timeout.")]
    public static partial void EndFailed(ILogger logger, Exception exception, string model);
}
