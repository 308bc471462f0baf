namespace AiOrchestrator.Budgets;

// Queries: wallet snapshots, availability, scope paths and history.
public sealed partial class BudgetLedger
{
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<AiScope, KnownPath> _paths = [];

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

    /// <summary>How many call attempts the ledger remembers for idempotent retries (tests and diagnostics).</summary>
    internal int RememberedCalls
    {
        get
        {
            lock (_lock)
            {
                return _state.RememberedCalls;
            }
        }
    }

    /// <inheritdoc/>
    public IReadOnlyList<WalletId> GetWalletPath(AiScope scope)
    {
        ArgumentNullException.ThrowIfNull(scope);

        // Asked on every call, usually with the same scope object (an ambient scope, the default scope): remember the
        // answer per scope object (scopes are immutable) until a wallet is added.
        if (_paths.TryGetValue(scope, out var known) && known.WalletCount == _state.WalletCount)
        {
            return known.Path;
        }

        var path = WalletId.PathOf(scope);
        List<WalletId>? existing = null;
        int count;
        lock (_lock)
        {
            foreach (var id in path)
            {
                if (_state.TryGetWallet(id, out _))
                {
                    (existing ??= new List<WalletId>(path.Count)).Add(id);
                }
            }

            count = _state.WalletCount;
        }

        IReadOnlyList<WalletId> answer = existing is null ? [] : existing.AsReadOnly();
        _paths.AddOrUpdate(scope, new KnownPath(count, answer));
        return answer;
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
        if (_journal is not null)
        {
            await FlushAsync(cancellationToken).ConfigureAwait(false);
            lock (_segments)
            {
                ReadRetainedHistory(wallet, history);
            }
        }
        else
        {
            var scratch = new LedgerState(TimeSpan.MaxValue);
            scratch.CaptureHistory(wallet, history);
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

    /// <summary>
    /// Replays the retained segments and the live file: from the first segment ever, or from the snapshot of the
    /// oldest retained segment's start, whose balance opens the history.
    /// </summary>
    /// <summary>The wallet path of a scope object, as of when the ledger had <paramref name="WalletCount"/> wallets.</summary>
    private sealed record KnownPath(int WalletCount, IReadOnlyList<WalletId> Path);

    private void ReadRetainedHistory(WalletId wallet, List<WalletTransaction> history)
    {
        var journal = _journal!;
        var path = journal.Path;
        var segments = FileJournal.ClosedSegments(path);
        segments.RemoveAll(s => s >= journal.Segment);
        segments.Add(journal.Segment);
        LedgerState? scratch = null;
        var first = 0;
        for (; first < segments.Count && scratch is null; first++)
        {
            scratch = StartState(path, segments[first], TimeSpan.MaxValue, int.MaxValue);
        }

        first--;
        if (scratch is null)
        {
            throw new JournalCorruptedException(path, 0, "no retained journal segment has a snapshot of its start, so the history cannot be rebuilt");
        }

        scratch.CaptureHistory(wallet, history);
        scratch.RecordOpening(wallet);
        for (var i = first; i < segments.Count - 1; i++)
        {
            FileJournal.ReadSegment(path, segments[i], 0, entry => scratch.Apply(entry));
        }

        journal.Read(journal.DataStart, journal.Length, entry => scratch.Apply(entry));
    }
}
