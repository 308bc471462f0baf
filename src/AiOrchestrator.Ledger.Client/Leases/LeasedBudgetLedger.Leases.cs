using System.Globalization;
using AiOrchestrator.Budgets;

namespace AiOrchestrator.Ledger.Client.Leases;

// Taking, growing, renewing and returning leases; the slow path of a reserve the lease cannot cover; the fallback.
internal sealed partial class LeasedBudgetLedger
{
    private const decimal RateWeight = 0.3m;

    /// <summary>A reserve the path's lease cannot cover: grow the lease (once per round, one request per path at a time), else the fallback.</summary>
    private async ValueTask<Reservation> ReserveSlowAsync(WalletPath path, CallKey key, Money amount, CancellationToken cancellationToken)
    {
        for (var round = 0; round < 3; round++)
        {
            var now = _time.GetUtcNow();
            if (!ShouldTryLedger(now))
            {
                break;
            }

            if (now < path.RefusedUntil)
            {
                _metrics.RecordRefusal("ledger_refused");
                throw Refusal(path, amount, $"The ledger has no more budget for {path.Text}: it refused a lease moments ago. {RefusalHint}");
            }

            await path.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                // Another caller may have grown the lease while this one waited.
                if (TryHold(path, key, amount, _time.GetUtcNow(), out var held))
                {
                    return held;
                }

                await GrowAsync(path, amount.Amount, amount.Currency, cancellationToken).ConfigureAwait(false);
            }
            catch (LedgerRequestException ex) when (ex.IsUnreachable)
            {
                break;
            }
            catch (LedgerRequestException ex)
            {
                _metrics.RecordRefusal("ledger_refused");
                throw Refusal(path, amount, $"The ledger refused a lease on {path.Text} for a call that needs {amount}: {ex.Detail ?? ex.Message} {RefusalHint}", WalletNamed(ex));
            }
            finally
            {
                path.Gate.Release();
            }

            if (TryHold(path, key, amount, _time.GetUtcNow(), out var reservation))
            {
                return reservation;
            }
        }

        return ReserveFallback(path, key, amount);
    }

    private const string RefusalHint = "Raise the wallet's limit or top it up in the ledger, or retry after its period resets.";

    private static string? WalletNamed(LedgerRequestException ex) => ex.Extensions.TryGetValue("wallet", out var wallet) ? wallet : null;

    /// <summary>Holds the call on the fallback allowance, or refuses it: the leases cannot cover it and the ledger cannot be reached.</summary>
    private Reservation ReserveFallback(WalletPath path, CallKey key, Money amount)
    {
        var remaining = 0m;
        if (_options.Fallback == LedgerFallback.Allowance && string.Equals(amount.Currency, _options.FallbackCurrency, StringComparison.Ordinal))
        {
            lock (_fallbackLock)
            {
                remaining = _options.FallbackAllowance - _fallbackSpent - _fallbackHeld;
                if (remaining >= amount.Amount)
                {
                    _fallbackHeld += amount.Amount;
                    remaining = -1m;
                }
            }
        }

        if (remaining < 0m)
        {
            HeldCall held;
            lock (path.Lock)
            {
                path.Holds++;
                held = new HeldCall(NewReservation(key, path, amount, _time.GetUtcNow()), path, null);
            }

            _metrics.RecordFallbackReservation();
            return Register(key, held);
        }

        _metrics.RecordRefusal("ledger_unreachable");
        var leaseLeft = 0m;
        lock (path.Lock)
        {
            if (path.Lease is { } lease && lease.IsUsable(_time.GetUtcNow(), _options.ExpiryMargin))
            {
                leaseLeft = Math.Max(0m, lease.Remaining);
            }
        }

        var fallback = _options.Fallback == LedgerFallback.Deny
            ? "the fallback is Deny (AiOrchestrator:Ledger:Fallback), so calls beyond the leases are refused until the ledger is back"
            : $"the fallback allowance of {_options.FallbackAllowance} {_options.FallbackCurrency} has {Math.Max(0m, remaining)} left";
        throw Refusal(path, amount,
            $"The ledger at {_options.Url} cannot be reached and the lease on {path.Text} holds {leaseLeft} {amount.Currency} of the {amount} this call needs; {fallback}. "
            + "Check that the ledger is running and reachable; calls resume as soon as it answers.");
    }

    /// <summary>Grows the path's lease (or takes a new one) so it holds at least <paramref name="needed"/> more. Holds the path's gate.</summary>
    private async Task GrowAsync(WalletPath path, decimal needed, string currency, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        decimal remaining;
        LeaseHold? lease;
        decimal target;
        lock (path.Lock)
        {
            lease = path.Lease is { } l && l.IsUsable(now, _options.ExpiryMargin) ? l : null;
            remaining = lease is null ? 0m : Math.Max(0m, lease.Remaining);
            target = TargetSize(path);
        }

        var minimum = needed - remaining;
        var wanted = Math.Max(minimum + target, minimum);
        var ledgerHas = LedgerAvailable(path);
        if (ledgerHas < wanted && ledgerHas >= minimum)
        {
            wanted = ledgerHas;
        }

        try
        {
            await SendGrowAsync(path, lease, wanted, currency, cancellationToken).ConfigureAwait(false);
        }
        catch (LedgerRequestException ex) when (!ex.IsUnreachable && ex.StatusCode is not (401 or 403) && wanted > minimum)
        {
            // The ledger cannot give the target size: ask for just what this call needs.
            await SendGrowAsync(path, lease, minimum, currency, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task SendGrowAsync(WalletPath path, LeaseHold? lease, decimal amount, string currency, CancellationToken cancellationToken)
    {
        try
        {
            if (lease is null)
            {
                await TakeAsync(path, amount, currency, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await RenewAsync(path, lease, amount, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (LedgerRequestException ex) when (!ex.IsUnreachable)
        {
            if (lease is not null && ex.StatusCode is not (401 or 403) && !await IsActiveAsync(lease, cancellationToken).ConfigureAwait(false))
            {
                // The ledger no longer holds the lease (it expired while unreachable, or was returned): take a new one.
                CloseLease(path, lease);
                await TakeAsync(path, amount, currency, cancellationToken).ConfigureAwait(false);
                return;
            }

            lock (path.Lock)
            {
                if (ex.StatusCode is not (401 or 403))
                {
                    path.RefusedUntil = _time.GetUtcNow() + _options.RetryUnreachableAfter;
                }
            }

            throw;
        }
    }

    /// <summary>Whether the ledger still holds <paramref name="lease"/> (a renewal it refused may mean it has ended).</summary>
    private async Task<bool> IsActiveAsync(LeaseHold lease, CancellationToken cancellationToken)
    {
        try
        {
            var current = await CallAsync(ct => _http.GetLeaseAsync(lease.Id, ct), cancellationToken).ConfigureAwait(false);
            return string.Equals(current.Status, "active", StringComparison.OrdinalIgnoreCase);
        }
        catch (LedgerRequestException ex) when (!ex.IsUnreachable)
        {
            return false;
        }
    }

    /// <summary>What the ledger had available for the path at the last wallet refresh (the least of its wallets).</summary>
    private decimal LedgerAvailable(WalletPath path)
    {
        var known = _wallets;
        var least = decimal.MaxValue;
        foreach (var id in path.Wallets)
        {
            if (known.ById.TryGetValue(id, out var wallet))
            {
                least = Math.Min(least, wallet.AvailableAmount);
            }
        }

        return least;
    }

    /// <summary>The lease size the path's spend rate calls for. Under the path's lock.</summary>
    private decimal TargetSize(WalletPath path)
        => Math.Clamp(decimal.Round(path.Rate * (decimal)_options.LeaseHorizon.TotalSeconds, 6), _options.MinLeaseAmount, _options.MaxLeaseAmount);

    /// <summary>How long a lease of <paramref name="size"/> is asked for: twice the time the path takes to spend it, within the configured bounds.</summary>
    private int TtlSeconds(WalletPath path, decimal size)
    {
        var seconds = path.Rate > 0m ? (double)(2m * size / path.Rate) : _options.MaxLeaseTtl.TotalSeconds;
        seconds = Math.Clamp(seconds, _options.MinLeaseTtl.TotalSeconds, _options.MaxLeaseTtl.TotalSeconds);
        return (int)Math.Ceiling(seconds);
    }

    private async Task TakeAsync(WalletPath path, decimal amount, string currency, CancellationToken cancellationToken)
    {
        PendingLeaseRequest pending;
        lock (path.Lock)
        {
            pending = path.Pending is { Take: not null } unanswered
                ? unanswered
                : new PendingLeaseRequest(NewKey("lease"), null, new LeaseRequest(path.WalletIds, Format(amount), currency, TtlSeconds(path, amount), _holder), null);
            path.Pending = pending;
        }

        var response = await SendPendingAsync(path, pending, cancellationToken).ConfigureAwait(false);
        var lease = new LeaseHold(response.Id, Parse(response.Amount), response.ExpiresAt);
        lock (path.Lock)
        {
            if (path.Lease is { } old && !old.Closed)
            {
                old.Closed = true;
            }

            path.Lease = lease;
        }

        _metrics.RecordLease("taken");
        LogLeaseTaken(_logger, response.Id, path.Text, lease.Granted, currency, response.ExpiresAt);
    }

    private async Task RenewAsync(WalletPath path, LeaseHold lease, decimal add, CancellationToken cancellationToken)
    {
        PendingLeaseRequest pending;
        lock (path.Lock)
        {
            pending = path.Pending is { Renew: not null } unanswered && unanswered.LeaseId == lease.Id
                ? unanswered
                : new PendingLeaseRequest(NewKey("renew"), lease.Id, null, new LeaseRenewRequest(TtlSeconds(path, Math.Max(add, lease.Granted)), add > 0m ? Format(add) : null));
            path.Pending = pending;
        }

        var response = await SendPendingAsync(path, pending, cancellationToken).ConfigureAwait(false);
        if (!string.Equals(response.Status, "active", StringComparison.OrdinalIgnoreCase))
        {
            CloseLease(path, lease);
            return;
        }

        lock (path.Lock)
        {
            lease.Granted = Parse(response.Amount);
            lease.ExpiresAt = response.ExpiresAt;
        }

        _metrics.RecordLease("renewed");
        LogLeaseRenewed(_logger, lease.Id, path.Text, lease.Granted, response.ExpiresAt);
    }

    /// <summary>Sends a lease request; the same key and body go again until the ledger answers.</summary>
    private async Task<LeaseResponse> SendPendingAsync(WalletPath path, PendingLeaseRequest pending, CancellationToken cancellationToken)
    {
        try
        {
            return pending.Take is { } take
                ? await CallAsync(ct => _http.TakeLeaseAsync(take, pending.IdempotencyKey, ct), cancellationToken).ConfigureAwait(false)
                : await CallAsync(ct => _http.RenewLeaseAsync(pending.LeaseId!, pending.Renew!, pending.IdempotencyKey, ct), cancellationToken).ConfigureAwait(false);
        }
        catch (LedgerRequestException ex) when (ex.IsUnreachable)
        {
            throw;
        }
        catch (LedgerRequestException)
        {
            ClearPending(path, pending);
            throw;
        }
        finally
        {
            // Answered (or cancelled by the caller): a later request is a new one.
            if (IsReachable(_time.GetUtcNow()))
            {
                ClearPending(path, pending);
            }
        }
    }

    private static void ClearPending(WalletPath path, PendingLeaseRequest pending)
    {
        lock (path.Lock)
        {
            if (ReferenceEquals(path.Pending, pending))
            {
                path.Pending = null;
            }
        }
    }

    private void CloseLease(WalletPath path, LeaseHold lease)
    {
        lock (path.Lock)
        {
            lease.Closed = true;
            if (ReferenceEquals(path.Lease, lease))
            {
                path.Lease = null;
            }
        }

        LogLeaseEnded(_logger, lease.Id, path.Text);
    }

    /// <summary>Returns the path's lease; what it did not spend goes back to the wallets.</summary>
    private async Task ReturnAsync(WalletPath path, LeaseHold lease, CancellationToken cancellationToken)
    {
        lock (path.Lock)
        {
            lease.Closed = true;
            if (ReferenceEquals(path.Lease, lease))
            {
                path.Lease = null;
            }
        }

        try
        {
            await CallAsync(ct => _http.ReturnLeaseAsync(lease.Id, "return-" + lease.Id, ct), cancellationToken).ConfigureAwait(false);
            _metrics.RecordLease("returned");
            LogLeaseReturned(_logger, lease.Id, path.Text, lease.Granted - lease.Spent);
        }
        catch (LedgerRequestException ex) when (!ex.IsUnreachable)
        {
            // Already ended at the ledger (expired, returned): nothing is held any more.
            LogLeaseEnded(_logger, lease.Id, path.Text);
        }
    }

    /// <summary>Returns every lease (on shutdown): pending reservations on them are abandoned with the process.</summary>
    internal async Task ReturnLeasesAsync(CancellationToken cancellationToken)
    {
        foreach (var path in _paths.Values)
        {
            LeaseHold? lease;
            lock (path.Lock)
            {
                lease = path.Lease is { Closed: false } open ? open : null;
            }

            if (lease is not null)
            {
                try
                {
                    await ReturnAsync(path, lease, cancellationToken).ConfigureAwait(false);
                }
                catch (LedgerRequestException ex)
                {
                    LogReturnFailed(_logger, ex, lease.Id, lease.ExpiresAt);
                }
            }
        }
    }

    /// <summary>
    /// One round of background work: refresh the wallet list when due, expire forgotten reservations, sample spend
    /// rates, renew and grow leases ahead of need, return idle ones, upload usage when due.
    /// </summary>
    internal async Task SyncAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (now >= _walletsDue && ShouldTryLedger(now))
        {
            try
            {
                await RefreshWalletsAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (LedgerRequestException ex) when (!ex.IsUnreachable)
            {
                LogRefreshRefused(_logger, ex);
                _walletsDue = now + _options.WalletRefreshInterval;
            }
            catch (LedgerRequestException)
            {
                // Unreachable: noted; tried again after RetryUnreachableAfter.
            }
        }

        ExpireReservations(now);
        foreach (var pair in _paths)
        {
            await MaintainAsync(pair.Key, pair.Value, now, cancellationToken).ConfigureAwait(false);
        }

        if (now >= _uploadDue || _outbox.Depth >= _options.UploadBatchSize)
        {
            await UploadAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task MaintainAsync(IReadOnlyList<WalletId> key, WalletPath path, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (!await path.Gate.WaitAsync(0, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        try
        {
            LeaseHold? lease;
            decimal target;
            decimal remaining;
            bool idle;
            lock (path.Lock)
            {
                SampleRate(path, now);
                target = TargetSize(path);
                lease = path.Lease;
                if (lease is not null && !lease.Closed && now >= lease.ExpiresAt)
                {
                    // Expired at the ledger too: what it held went back to the wallets.
                    lease.Closed = true;
                    path.Lease = null;
                    lease = null;
                }

                remaining = lease is null ? 0m : lease.Remaining;
                idle = now - path.LastUsed >= _options.IdleLeaseReturn;
                if (idle && lease is null && path.Holds == 0)
                {
                    _paths.TryRemove(new KeyValuePair<IReadOnlyList<WalletId>, WalletPath>(key, path));
                    return;
                }
            }

            if (!ShouldTryLedger(now))
            {
                return;
            }

            try
            {
                if (lease is null)
                {
                    if (!idle && now >= path.RefusedUntil)
                    {
                        await TakeAsync(path, Math.Min(target, Math.Max(_options.MinLeaseAmount, LedgerAvailable(path))), CurrencyOf(path), cancellationToken).ConfigureAwait(false);
                    }
                }
                else if (idle && lease.Holds == 0)
                {
                    await ReturnAsync(path, lease, cancellationToken).ConfigureAwait(false);
                }
                else if (remaining < _options.RenewBelowFraction * target || lease.ExpiresAt - now <= _options.RenewBeforeExpiry)
                {
                    var add = Math.Max(0m, target - remaining);
                    var ledgerHas = LedgerAvailable(path);
                    if (now < path.RefusedUntil)
                    {
                        add = 0m;
                    }
                    else if (add > ledgerHas)
                    {
                        add = Math.Max(0m, ledgerHas);
                    }

                    await SendGrowAsync(path, lease, add, CurrencyOf(path), cancellationToken).ConfigureAwait(false);
                }
            }
            catch (LedgerRequestException ex) when (!ex.IsUnreachable)
            {
                LogLeaseRefused(_logger, path.Text, ex.Detail ?? ex.Message);
            }
            catch (LedgerRequestException)
            {
                // Unreachable: noted; the leases keep being spent until they end, then the fallback applies.
            }
        }
        finally
        {
            path.Gate.Release();
        }
    }

    private string CurrencyOf(WalletPath path)
        => _wallets.ById.TryGetValue(path.Wallets[0], out var wallet) ? wallet.Currency : _options.FallbackCurrency;

    private static void SampleRate(WalletPath path, DateTimeOffset now)
    {
        if (path.LastSample == default)
        {
            path.LastSample = now;
            return;
        }

        var seconds = (decimal)(now - path.LastSample).TotalSeconds;
        if (seconds < 0.05m)
        {
            return;
        }

        var rate = path.SpentSinceSample / seconds;
        path.Rate = path.Rate == 0m ? rate : (RateWeight * rate) + ((1m - RateWeight) * path.Rate);
        path.SpentSinceSample = 0m;
        path.LastSample = now;
    }

    /// <summary>Reservations neither settled nor released within the timeout give their hold back.</summary>
    private void ExpireReservations(DateTimeOffset now)
    {
        foreach (var pair in _calls)
        {
            var held = pair.Value;
            if (held.Expired)
            {
                if (now >= held.Reservation.ExpiresAt + _options.IdempotencyRetention)
                {
                    _calls.TryRemove(pair);
                }

                continue;
            }

            if (now < held.Reservation.ExpiresAt)
            {
                continue;
            }

            lock (held.Path.Lock)
            {
                if (held.Reservation.Status == ReservationStatus.Pending && !held.Expired)
                {
                    Unhold(held);
                    held.Expired = true;
                    held.Reservation.Status = ReservationStatus.Expired;
                }
            }
        }
    }

    private static string NewKey(string operation) => operation + "-" + Guid.NewGuid().ToString("N");

    private static string Format(decimal amount) => amount.ToString(CultureInfo.InvariantCulture);

    private static decimal Parse(string amount) => decimal.Parse(amount, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
}
