using AiOrchestrator.Budgets;

namespace AiOrchestrator.Ledger.Client.Leases;

// Which wallets the ledger has, and whether it can be reached.
internal sealed partial class LeasedBudgetLedger
{
    private volatile KnownWallets _wallets = KnownWallets.NotLoaded;
    private int _walletSetVersion;
    private DateTimeOffset _walletsDue;
    private long _unreachableSinceTicks;
    private long _lastFailureTicks;

    /// <summary>True while the last request to the ledger got an answer.</summary>
    internal bool IsLedgerReachable => Interlocked.Read(ref _unreachableSinceTicks) == 0;

    /// <summary>True when the wallet list has been read from the ledger at least once.</summary>
    internal bool WalletsLoaded => _wallets.Loaded;

    /// <summary>Reads the organisation's wallets from the ledger.</summary>
    /// <exception cref="LedgerRequestException">The ledger could not be reached or refused.</exception>
    internal async Task RefreshWalletsAsync(CancellationToken cancellationToken)
    {
        var list = await CallAsync(ct => _http.GetWalletsAsync(ct), cancellationToken).ConfigureAwait(false);
        var known = KnownWallets.From(list);
        var previous = _wallets;
        _wallets = known;
        if (!known.SameWallets(previous))
        {
            Interlocked.Increment(ref _walletSetVersion);
            LogWallets(_logger, known.ById.Count, _options.Organisation!);
        }

        _walletsDue = _time.GetUtcNow() + _options.WalletRefreshInterval;
    }

    /// <summary>Sends a request, noting whether the ledger answered (a refusal is an answer).</summary>
    private async Task<T> CallAsync<T>(Func<CancellationToken, Task<T>> request, CancellationToken cancellationToken)
    {
        try
        {
            var result = await request(cancellationToken).ConfigureAwait(false);
            MarkReachable();
            return result;
        }
        catch (LedgerRequestException ex) when (ex.IsUnreachable)
        {
            MarkUnreachable(ex);
            throw;
        }
        catch (LedgerRequestException)
        {
            MarkReachable();
            throw;
        }
    }

    /// <summary>True when the ledger answered last, or it failed long enough ago to be tried again on the request path.</summary>
    private bool ShouldTryLedger(DateTimeOffset now)
        => IsReachable(now) || now.UtcTicks - Interlocked.Read(ref _lastFailureTicks) >= _options.RetryUnreachableAfter.Ticks;

    private bool IsReachable(DateTimeOffset now) => Interlocked.Read(ref _unreachableSinceTicks) == 0;

    private void MarkReachable()
    {
        var since = Interlocked.Exchange(ref _unreachableSinceTicks, 0);
        if (since != 0)
        {
            var down = TimeSpan.FromTicks(Math.Max(0, _time.GetUtcNow().UtcTicks - since));
            LogReachable(_logger, _options.Url!, down, _outbox.Depth);
            _uploadDue = DateTimeOffset.MinValue;
        }
    }

    private void MarkUnreachable(LedgerRequestException ex)
    {
        var now = _time.GetUtcNow().UtcTicks;
        Interlocked.Exchange(ref _lastFailureTicks, now);
        if (Interlocked.CompareExchange(ref _unreachableSinceTicks, now, 0) == 0)
        {
            LogUnreachable(_logger, ex, _options.Url!, _options.Fallback, OutstandingLeases);
        }
    }

    /// <summary>The refusal of a call the ledger cannot cover: its message names the wallet, and what to do.</summary>
    private BudgetExceededException Refusal(WalletPath path, Money amount, string message, string? walletId = null)
    {
        var wallet = walletId is not null && WalletId.TryParse(walletId, out var named) ? named : path.Wallets[^1];
        if (_wallets.ById.TryGetValue(wallet, out var known))
        {
            return new BudgetExceededException(message, wallet, known.Limit, new Money(known.Spent, known.Currency), new Money(known.Held, known.Currency), new Money(known.TopUps, known.Currency), amount, known.PeriodEnd);
        }

        var zero = new Money(0m, amount.Currency);
        return new BudgetExceededException(message, wallet, new BudgetLimit(zero, BudgetPeriod.Total), zero, zero, zero, amount, null);
    }

    private BudgetExceededException OutboxFull(IReadOnlyList<WalletId> wallets, Money amount)
    {
        _metrics.RecordRefusal("outbox_full");
        return Refusal(PathFor(wallets), amount,
            $"The call was refused: the ledger outbox holds {_outbox.Depth} usage records not yet uploaded (AiOrchestrator:Ledger:OutboxCapacity is {_options.OutboxCapacity}), "
            + $"so the ledger at {_options.Url} has not received this process's spend for a long time. Make the ledger reachable; calls resume once the outbox drains.");
    }
}
