using Microsoft.Extensions.Logging;

namespace AiOrchestrator.Ledger.Client.Leases;

// Log messages, with stable event ids (65xx).
internal sealed partial class LeasedBudgetLedger
{
    [LoggerMessage(EventId = 6500, Level = LogLevel.Information, Message = "The ledger lists {Count} wallets of organisation {Organisation}.")]
    private static partial void LogWallets(ILogger logger, int count, string organisation);

    [LoggerMessage(EventId = 6501, Level = LogLevel.Warning, Message = "The ledger at {Url} cannot be reached. Calls spend what the leases still hold ({Outstanding} outstanding), then the fallback applies ({Fallback}); usage waits in the outbox.")]
    private static partial void LogUnreachable(ILogger logger, Exception exception, Uri url, LedgerFallback fallback, decimal outstanding);

    [LoggerMessage(EventId = 6502, Level = LogLevel.Information, Message = "The ledger at {Url} answers again after {Down}; uploading the outbox ({Depth} records) and reconciling leases.")]
    private static partial void LogReachable(ILogger logger, Uri url, TimeSpan down, long depth);

    [LoggerMessage(EventId = 6503, Level = LogLevel.Debug, Message = "Lease {LeaseId} taken on {Path}: {Amount} {Currency}, expires {ExpiresAt:O}.")]
    private static partial void LogLeaseTaken(ILogger logger, string leaseId, string path, decimal amount, string currency, DateTimeOffset expiresAt);

    [LoggerMessage(EventId = 6504, Level = LogLevel.Debug, Message = "Lease {LeaseId} on {Path} renewed: {Amount} granted, expires {ExpiresAt:O}.")]
    private static partial void LogLeaseRenewed(ILogger logger, string leaseId, string path, decimal amount, DateTimeOffset expiresAt);

    [LoggerMessage(EventId = 6505, Level = LogLevel.Debug, Message = "Lease {LeaseId} on {Path} returned; {Unspent} unspent went back to the wallets.")]
    private static partial void LogLeaseReturned(ILogger logger, string leaseId, string path, decimal unspent);

    [LoggerMessage(EventId = 6506, Level = LogLevel.Information, Message = "Lease {LeaseId} on {Path} has ended at the ledger (expired or returned); a new lease is taken when needed.")]
    private static partial void LogLeaseEnded(ILogger logger, string leaseId, string path);

    [LoggerMessage(EventId = 6507, Level = LogLevel.Information, Message = "The ledger refused to grow the lease on {Path}: {Detail}")]
    private static partial void LogLeaseRefused(ILogger logger, string path, string detail);

    [LoggerMessage(EventId = 6508, Level = LogLevel.Warning, Message = "Lease {LeaseId} could not be returned; the ledger releases it when it expires at {ExpiresAt:O}.")]
    private static partial void LogReturnFailed(ILogger logger, Exception exception, string leaseId, DateTimeOffset expiresAt);

    [LoggerMessage(EventId = 6509, Level = LogLevel.Warning, Message = "Fallback spend of {Amount} on {Path} while the ledger cannot be reached; it is uploaded when the ledger is back.")]
    private static partial void LogFallbackSpend(ILogger logger, Money amount, string path);

    [LoggerMessage(EventId = 6510, Level = LogLevel.Information, Message = "The ledger has received all fallback spend ({Amount} {Currency}); the fallback allowance is whole again.")]
    private static partial void LogFallbackReconciled(ILogger logger, decimal amount, string currency);

    [LoggerMessage(EventId = 6511, Level = LogLevel.Debug, Message = "Usage batch {Sequence} uploaded: {Count} records ({Accepted} applied, {Duplicates} seen before, replay: {Replayed}).")]
    private static partial void LogUploaded(ILogger logger, long sequence, int count, int accepted, int duplicates, bool replayed);

    [LoggerMessage(EventId = 6512, Level = LogLevel.Warning, Message = "The ledger expects usage batch {Expected} from source {Source}, not {Sequence}; the pending batch is sent again under {Expected}.")]
    private static partial void LogResequenced(ILogger logger, string source, long sequence, long expected);

    [LoggerMessage(EventId = 6513, Level = LogLevel.Error, Message = "The ledger refused usage batch {Sequence} ({Count} records); it stays in the outbox ({Depth} records) and is sent again. Fix what the ledger reports.")]
    private static partial void LogUploadRefused(ILogger logger, Exception exception, long sequence, int count, long depth);

    [LoggerMessage(EventId = 6514, Level = LogLevel.Error, Message = "The ledger refused to list the wallets; the last list stays in use.")]
    private static partial void LogRefreshRefused(ILogger logger, Exception exception);
}
