using System.Threading.RateLimiting;

namespace AiOrchestrator.RateLimits;

/// <summary>
/// One partition's limit (say, the tokens of team <c>acme/search</c>): a sliding window with a bounded FIFO queue, on
/// the time of a <see cref="TimeProvider"/>. It is a <see cref="RateLimiter"/>, so it can be used alone, but the
/// scope limiter calls its lock-scoped methods directly: it takes permits from several of them all or nothing, and
/// gives back or charges the difference when a call's actual usage is known. The BCL limiters can do neither (a
/// token-bucket lease does not refund on dispose) and read the wall clock, which is why this one exists.
/// </summary>
internal sealed class WindowLimiter : RateLimiter
{
    private static readonly RateLimitLease Granted = new Lease(true, null);
    private readonly Lock _lock = new();
    private readonly RateLimitClock _clock;
    private readonly LinkedList<RateLimitWaiter> _queue = new();
    private WindowCounter _counter;
    private long _limit;
    private int _queueLimit;
    private long _lastUsed;
    private bool _retired;
    private long _successful;
    private long _failed;

    public WindowLimiter(RateLimitClock clock, RateLimitKind kind, RateLimitLevel level, string partition, long limit, TimeSpan window, int segments, int queueLimit)
    {
        _clock = clock;
        Kind = kind;
        Level = level;
        Partition = partition;
        _limit = limit;
        _queueLimit = queueLimit;
        _counter = new WindowCounter(window, segments);
        _lastUsed = clock.Now();
    }

    public RateLimitKind Kind { get; }

    public RateLimitLevel Level { get; }

    /// <summary>Who the partition is for, such as <c>team 'search' of organization 'acme'</c> (never prompt text).</summary>
    public string Partition { get; }

    public long Limit => Volatile.Read(ref _limit);

    public int QueueLimit => Volatile.Read(ref _queueLimit);

    public TimeSpan Window
    {
        get
        {
            lock (_lock)
            {
                return _counter.Window;
            }
        }
    }

    /// <summary>What this limit takes from an acquisition.</summary>
    public long AmountOf(in RateLimitAmounts amounts) => Kind switch
    {
        RateLimitKind.Requests => amounts.Requests,
        RateLimitKind.Tokens => amounts.Tokens,
        _ => amounts.Cost,
    };

    /// <inheritdoc/>
    public override TimeSpan? IdleDuration
    {
        get
        {
            var now = _clock.Now();
            lock (_lock)
            {
                _counter.Advance(now);
                return _queue.Count == 0 && _counter.Total == 0 ? TimeSpan.FromTicks(now - _lastUsed) : null;
            }
        }
    }

    /// <summary>Applies a reloaded rule: the count so far is kept (in the current slice if the window changed).</summary>
    public void Configure(long limit, TimeSpan window, int segments, int queueLimit)
    {
        var now = _clock.Now();
        lock (_lock)
        {
            _limit = limit;
            _queueLimit = queueLimit;
            if (window != _counter.Window || segments != _counter.Segments)
            {
                _counter = _counter.Resize(window, segments, now);
            }
        }

        SignalHead();
    }

    /// <summary>
    /// Takes <paramref name="amount"/> if it fits and nobody waits ahead of <paramref name="waiter"/>. When it does not
    /// and a waiter is given, queues the waiter (or reports a full queue); <paramref name="retryAfter"/> is then the
    /// time until the amount would fit if nothing else were taken, and <paramref name="isHead"/> says whether the
    /// waiter is first in line (only the head waits on that time; the others wait to become head).
    /// </summary>
    public TakeResult TryTake(long amount, long now, RateLimitWaiter? waiter, out long retryAfter, out bool isHead)
    {
        retryAfter = 0;
        isHead = false;
        if (amount <= 0)
        {
            return TakeResult.Taken;
        }

        LinkedListNode<RateLimitWaiter>? next = null;
        lock (_lock)
        {
            if (_retired)
            {
                return TakeResult.Retired;
            }

            _lastUsed = now;
            _counter.Advance(now);
            var first = _queue.First;
            var mine = waiter is not null && ReferenceEquals(waiter.QueuedAt, this) ? waiter.Node : null;
            if (amount > _limit)
            {
                _failed++;
                return TakeResult.NeverFits;
            }

            var ahead = first is not null && !ReferenceEquals(first, mine);
            if (!ahead && _counter.Total + amount <= _limit)
            {
                _counter.Add(amount);
                _successful++;
                if (mine is not null)
                {
                    _queue.Remove(mine);
                    waiter!.QueuedAt = null;
                    waiter.Node = null;
                    next = _queue.First;
                }
            }
            else
            {
                retryAfter = _counter.RetryAfter(amount, _limit, now);
                if (waiter is null || _queueLimit == 0)
                {
                    _failed++;
                    return TakeResult.Refused;
                }

                if (mine is null)
                {
                    if (_queue.Count >= _queueLimit)
                    {
                        _failed++;
                        return TakeResult.QueueFull;
                    }

                    if (waiter.QueuedAt is { } other && waiter.Node is { } otherNode)
                    {
                        waiter.Previous = (other, otherNode);
                    }

                    mine = _queue.AddLast(waiter);
                    waiter.QueuedAt = this;
                    waiter.Node = mine;
                }

                isHead = ReferenceEquals(_queue.First, mine);
                return TakeResult.Queued;
            }
        }

        next?.Value.Signal();
        return TakeResult.Taken;
    }

    /// <summary>Gives back what an acquisition that failed elsewhere took at <paramref name="takenAt"/>.</summary>
    public void Return(long amount, long takenAt)
    {
        if (amount <= 0)
        {
            return;
        }

        RateLimitWaiter? head;
        lock (_lock)
        {
            _counter.Credit(takenAt, amount);
            head = _queue.First?.Value;
        }

        head?.Signal();
    }

    /// <summary>
    /// Reconciles an estimate with the actual amount: more is charged now (it was used, and a window counts it from
    /// now); less is given back to the slice that was charged, if the window still holds it.
    /// </summary>
    public void Reconcile(long estimated, long actual, long takenAt, long now)
    {
        if (estimated == actual)
        {
            return;
        }

        RateLimitWaiter? head;
        lock (_lock)
        {
            if (_retired)
            {
                return;
            }

            _counter.Advance(now);
            if (actual > estimated)
            {
                _counter.Add(actual - estimated);
                return;
            }

            _counter.Credit(takenAt, estimated - actual);
            head = _queue.First?.Value;
        }

        head?.Signal();
    }

    /// <summary>Leaves the queue (a waiter admitted elsewhere, moved, cancelled or refused); wakes the next head.</summary>
    public void Remove(LinkedListNode<RateLimitWaiter> node)
    {
        LinkedListNode<RateLimitWaiter>? head;
        lock (_lock)
        {
            if (!ReferenceEquals(node.List, _queue))
            {
                return;
            }

            var wasHead = ReferenceEquals(_queue.First, node);
            _queue.Remove(node);
            head = wasHead ? _queue.First : null;
        }

        head?.Value.Signal();
    }

    /// <summary>Marks the partition dropped if it has been idle for <paramref name="idleTicks"/> with nothing counted or waiting.</summary>
    public bool TryRetire(long now, long idleTicks)
    {
        lock (_lock)
        {
            _counter.Advance(now);
            if (_queue.Count > 0 || _counter.Total > 0 || now - _lastUsed < idleTicks)
            {
                return false;
            }

            _retired = true;
            return true;
        }
    }

    /// <summary>What the window holds now.</summary>
    public long Used()
    {
        var now = _clock.Now();
        lock (_lock)
        {
            _counter.Advance(now);
            return _counter.Total;
        }
    }

    /// <inheritdoc/>
    public override RateLimiterStatistics? GetStatistics()
    {
        var now = _clock.Now();
        lock (_lock)
        {
            _counter.Advance(now);
            return new RateLimiterStatistics
            {
                CurrentAvailablePermits = Math.Max(0, _limit - _counter.Total),
                CurrentQueuedCount = _queue.Count,
                TotalSuccessfulLeases = _successful,
                TotalFailedLeases = _failed,
            };
        }
    }

    /// <inheritdoc/>
    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        var result = TryTake(permitCount, _clock.Now(), null, out var retryAfter, out _);
        return result == TakeResult.Taken ? Granted : new Lease(false, retryAfter > 0 ? TimeSpan.FromTicks(retryAfter) : null);
    }

    /// <inheritdoc/>
    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        var limiters = new[] { this };
        var amounts = new RateLimitAmounts(permitCount, permitCount, permitCount);
        var outcome = await RateLimitAcquisition.AcquireAsync(limiters, amounts, _clock, cancellationToken).ConfigureAwait(false);
        return outcome.Result == TakeResult.Taken
            ? Granted
            : new Lease(false, outcome.RetryAfter > 0 ? TimeSpan.FromTicks(outcome.RetryAfter) : null);
    }

    private void SignalHead()
    {
        RateLimitWaiter? head;
        lock (_lock)
        {
            head = _queue.First?.Value;
        }

        head?.Signal();
    }

    /// <summary>The BCL-shaped answer of <see cref="RateLimiter"/> use; nothing to give back on dispose.</summary>
    private sealed class Lease(bool acquired, TimeSpan? retryAfter) : RateLimitLease
    {
        public override bool IsAcquired => acquired;

        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            if (retryAfter is { } value && metadataName == MetadataName.RetryAfter.Name)
            {
                metadata = value;
                return true;
            }

            metadata = null;
            return false;
        }
    }
}
