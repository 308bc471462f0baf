using Microsoft.Extensions.Logging;

namespace AiOrchestrator.Budgets;

/// <summary>The ledger's log messages (event ids 3100-3199).</summary>
internal static partial class BudgetLog
{
    [LoggerMessage(3100, LogLevel.Information, "Budget ledger recovered {Records} journal records from {Path}; released {Released} reservations left pending; cut off {TornBytes} bytes of a torn record.")]
    public static partial void Recovered(ILogger logger, int records, string path, int released, long tornBytes);

    [LoggerMessage(3101, LogLevel.Critical, "Budget journal write failed; the ledger refuses further changes until restarted.")]
    public static partial void JournalFailed(ILogger logger, Exception exception);

    [LoggerMessage(3102, LogLevel.Error, "A budget event handler threw; the ledger change it reported stands.")]
    public static partial void HandlerFailed(ILogger logger, Exception exception);

    [LoggerMessage(3103, LogLevel.Warning, "Wallet {Wallet} crossed {Threshold} of its allowance: spent {Spent} of {Allowance}.")]
    public static partial void ThresholdCrossed(ILogger logger, WalletId wallet, decimal threshold, Money spent, Money allowance);

    [LoggerMessage(3104, LogLevel.Warning, "Wallet {Wallet} is exhausted for this period: spent {Spent}, reserved {Reserved} of {Allowance}.")]
    public static partial void Exhausted(ILogger logger, WalletId wallet, Money spent, Money reserved, Money allowance);

    [LoggerMessage(3105, LogLevel.Information, "Expired {Count} budget reservations that were neither settled nor released in time.")]
    public static partial void Expired(ILogger logger, int count);

    [LoggerMessage(3106, LogLevel.Debug, "Budget snapshot written: state as of journal offset {Offset}, {Bytes} bytes.")]
    public static partial void SnapshotWritten(ILogger logger, long offset, int bytes);

    [LoggerMessage(3108, LogLevel.Information, "Deleted budget journal segment {Segment}: it is older than the retained segments and covered by the snapshot.")]
    public static partial void SegmentDeleted(ILogger logger, long segment);

    [LoggerMessage(3109, LogLevel.Information, "Forgot {Count} call records before their idempotency window ended: MaxRememberedCalls ({Max}) was reached. Retries of those calls are treated as new calls; raise MaxRememberedCalls if retries come that late.")]
    public static partial void CallsEvicted(ILogger logger, long count, int max);

    [LoggerMessage(3107, LogLevel.Warning, "Budget snapshot could not be written; the journal is complete, the next start replays more of it.")]
    public static partial void SnapshotFailed(ILogger logger, Exception exception);
}
