using AiOrchestrator.Ledger.Server.Api;
using AiOrchestrator.Ledger.Server.Storage;
using AiOrchestrator.Ledger.Server.Telemetry;
using Microsoft.Extensions.Options;

namespace AiOrchestrator.Ledger.Server;

/// <summary>
/// Expires reservations and leases whose time is up (each in its own unit of work, so a hold touched meanwhile is
/// left to whoever touched it), and purges idempotency records past their retention once a minute.
/// </summary>
internal sealed partial class HoldSweeper(ILedgerStore store, TimeProvider time, IOptions<LedgerOptions> options, LedgerTelemetry telemetry, ILogger<HoldSweeper> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromSeconds(options.Value.SweepIntervalSeconds);
        using var timer = new PeriodicTimer(interval, time);
        var lastPurge = time.GetUtcNow();
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await SweepAsync(stoppingToken);
                    if (time.GetUtcNow() - lastPurge >= TimeSpan.FromMinutes(1))
                    {
                        lastPurge = time.GetUtcNow();
                        await store.PurgeIdempotencyAsync(lastPurge, stoppingToken);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogSweepFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One pass: every due hold, 256 at a time.</summary>
    public async Task SweepAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var now = time.GetUtcNow();
            var reservations = await store.ListDueReservationsAsync(now, 256, cancellationToken);
            foreach (var key in reservations)
            {
                await HoldEndpoints.ExpireReservationAsync(store, key, time, telemetry, cancellationToken);
            }

            var leases = await store.ListDueLeasesAsync(now, 256, cancellationToken);
            foreach (var key in leases)
            {
                await HoldEndpoints.ExpireLeaseAsync(store, key, time, telemetry, cancellationToken);
            }

            if (reservations.Count < 256 && leases.Count < 256)
            {
                return;
            }
        }
    }

    [LoggerMessage(1, LogLevel.Warning, "Sweeping expired reservations and leases failed; the next pass retries.")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);
}
