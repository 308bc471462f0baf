using AiOrchestrator.Ledger.Client.Leases;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AiOrchestrator.Ledger.Client;

/// <summary>
/// Runs the ledger client's background work while the host runs (wallet list, lease renewal and return, uploads),
/// and on stop uploads the outbox and returns the leases.
/// </summary>
internal sealed partial class LedgerSyncService(LeasedBudgetLedger ledger, LedgerClientOptions options, TimeProvider time, ILogger<LedgerSyncService> logger) : IHostedService, IAsyncDisposable
{
    private readonly CancellationTokenSource _abort = new();
    private CancellationTokenSource? _stopping;
    private Task? _loop;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!ledger.Outbox.IsDurable)
        {
            LogMemoryOutbox(logger);
        }

        try
        {
            await ledger.RefreshWalletsAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (LedgerRequestException ex)
        {
            LogStartWithoutWallets(logger, ex, options.Url!);
        }

        _stopping = new CancellationTokenSource();
        _loop = Task.Run(() => LoopAsync(_stopping.Token, _abort.Token), CancellationToken.None);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_stopping is null || _loop is null)
        {
            return;
        }

        // The round in progress finishes (a request cut off mid-way may leave the ledger holding its key as in
        // progress); it is cancelled only when stopping takes longer than ShutdownTimeout.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.ShutdownTimeout);
        await _stopping.CancelAsync().ConfigureAwait(false);
        using (timeout.Token.Register(static state => ((CancellationTokenSource)state!).Cancel(), _abort))
        {
            await _loop.ConfigureAwait(false);
        }

        try
        {
            // Upload until the outbox is empty or ShutdownTimeout has passed: an upload the ledger asks to repeat later (a key
            // still in progress) or that did not get through is repeated.
            while (true)
            {
                await ledger.UploadAsync(timeout.Token).ConfigureAwait(false);
                if (ledger.Outbox.Depth == 0)
                {
                    break;
                }

                await Task.Delay(100, timeout.Token).ConfigureAwait(false);
            }

            await ledger.ReturnLeasesAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            LogShutdownCut(logger, options.ShutdownTimeout, ledger.Outbox.Depth);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopping is not null)
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
            await _abort.CancelAsync().ConfigureAwait(false);
            if (_loop is not null)
            {
                await _loop.ConfigureAwait(false);
            }

            _stopping.Dispose();
        }

        _abort.Dispose();
    }

    private async Task LoopAsync(CancellationToken stopping, CancellationToken abort)
    {
        using var timer = new PeriodicTimer(options.SyncInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping).ConfigureAwait(false))
            {
                try
                {
                    await ledger.SyncAsync(abort).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (abort.IsCancellationRequested)
                {
                    return;
                }
#pragma warning disable CA1031 // The background work must go on; the failure is logged.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    LogSyncFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    [LoggerMessage(EventId = 6530, Level = LogLevel.Warning, Message = "The ledger at {Url} could not list the wallets at start; until it does, every wallet of the organisation on a call's path is taken to exist (calls need a lease or the fallback).")]
    private static partial void LogStartWithoutWallets(ILogger logger, Exception exception, Uri url);

    [LoggerMessage(EventId = 6531, Level = LogLevel.Error, Message = "The ledger client's background work failed; it runs again at the next interval.")]
    private static partial void LogSyncFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 6532, Level = LogLevel.Warning, Message = "Stopping took longer than AiOrchestrator:Ledger:ShutdownTimeout ({Timeout}); {Depth} usage records stay in the outbox and are uploaded by the next run, and unreturned leases expire at the ledger.")]
    private static partial void LogShutdownCut(ILogger logger, TimeSpan timeout, long depth);

    [LoggerMessage(EventId = 6533, Level = LogLevel.Warning, Message = "The usage outbox is in memory (AiOrchestrator:StorePath is ':memory:'): spend not yet uploaded is lost if the process stops. Set AiOrchestrator:StorePath to a file.")]
    private static partial void LogMemoryOutbox(ILogger logger);
}
