namespace AiOrchestrator.Budgets;

// Queries: wallet snapshots, availability, scope paths and history.
public sealed partial class BudgetLedger
{
    /// <inheritdoc/>
    public Wallet GetWallet(WalletId wallet)
    {
        lock (_lock)
        {
            var w = Wallet(wallet);
            if (_fault is null && Volatile.Read(ref _disposed) == 0)
            {
                RolloverIfDue(w, _time.GetUtcNow().UtcTicks);
            }

            return w.ToSnapshot();
        }
    }

    /// <summary>
    /// The least that any of <paramref name="wallets"/> still has available in its current period (never below
    /// zero), without building wallet snapshots: the budget stage asks this on every call.
    /// </summary>
    internal Money MinimumAvailable(IReadOnlyList<WalletId> wallets, string currency)
    {
        var available = decimal.MaxValue;
        lock (_lock)
        {
            var now = _time.GetUtcNow().UtcTicks;
            for (var i = 0; i < wallets.Count; i++)
            {
                var w = Wallet(wallets[i]);
                if (!string.Equals(w.Currency, currency, StringComparison.Ordinal))
                {
                    throw new CurrencyMismatchException(w.Currency, currency);
                }

                if (_fault is null && Volatile.Read(ref _disposed) == 0)
                {
                    RolloverIfDue(w, now);
                }

                available = Math.Min(available, w.Available);
            }
        }

        return new Money(Math.Max(0m, available), currency);
    }

    /// <inheritdoc/>
    public IReadOnlyList<WalletId> GetWalletPath(AiScope scope)
    {
        var path = WalletId.PathOf(scope);
        List<WalletId>? existing = null;
        lock (_lock)
        {
            foreach (var id in path)
            {
                if (_state.TryGetWallet(id, out _))
                {
                    (existing ??= new List<WalletId>(path.Count)).Add(id);
                }
            }
        }

        // Scopes without wallets are asked about on every call: answer them without allocating.
        return existing ?? (IReadOnlyList<WalletId>)[];
    }

    /// <inheritdoc/>
    public Reservation? FindReservation(long reservationId)
    {
        lock (_lock)
        {
            return _state.TryGetReservation(reservationId, out var reservation) ? reservation : null;
        }
    }

    /// <inheritdoc/>
    public IReadOnlyList<Wallet> GetWallets()
    {
        lock (_lock)
        {
            var wallets = new List<Wallet>();
            foreach (var w in _state.Wallets)
            {
                wallets.Add(w.ToSnapshot());
            }

            return wallets;
        }
    }

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<WalletTransaction>> GetHistoryAsync(WalletId wallet, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            _ = Wallet(wallet);
        }

        // Replays the journal into a scratch state that records this wallet's transactions: the history is
        // produced by the same code that produced the balance, so the two cannot disagree.
        var history = new List<WalletTransaction>();
        var scratch = new LedgerState(TimeSpan.MaxValue);
        scratch.CaptureHistory(wallet, history);
        if (_journal is not null)
        {
            await FlushAsync(cancellationToken).ConfigureAwait(false);
            _journal.Read(0, _journal.Length, entry => scratch.Apply(entry));
        }
        else
        {
            JournalEntry[] entries;
            lock (_lock)
            {
                entries = _memoryJournal!.ToArray();
            }

            foreach (var entry in entries)
            {
                scratch.Apply(entry);
            }
        }

        return history;
    }
}
