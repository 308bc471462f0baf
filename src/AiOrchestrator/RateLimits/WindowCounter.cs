namespace AiOrchestrator.RateLimits;

/// <summary>
/// What one limit used in its sliding window: a ring of slices, each the sum taken in it. The count covers the
/// slices of the last window plus the current one, so any window of the configured length ending now lies inside what
/// is counted: a limit never admits more than it allows in any window (a slice's worth of caution). Not thread-safe:
/// its <see cref="WindowLimiter"/> locks around it.
/// </summary>
internal sealed class WindowCounter
{
    private readonly long[] _slices;
    private readonly long _sliceTicks;
    private long _latest;
    private long _total;

    public WindowCounter(TimeSpan window, int segments)
    {
        Window = window;
        Segments = segments;
        _sliceTicks = Math.Max(1, (window.Ticks + segments - 1) / segments);
        _slices = new long[segments + 1];
    }

    public TimeSpan Window { get; }

    public int Segments { get; }

    /// <summary>What the window holds now (after <see cref="Advance"/>).</summary>
    public long Total => _total;

    /// <summary>Moves the window to <paramref name="now"/>, dropping the slices that left it.</summary>
    public void Advance(long now)
    {
        var index = now / _sliceTicks;
        var gap = index - _latest;
        if (gap <= 0)
        {
            return;
        }

        if (gap >= _slices.Length)
        {
            Array.Clear(_slices);
            _total = 0;
        }
        else
        {
            for (var i = _latest + 1; i <= index; i++)
            {
                ref var slice = ref _slices[i % _slices.Length];
                _total -= slice;
                slice = 0;
            }
        }

        _latest = index;
    }

    /// <summary>Counts <paramref name="amount"/> in the current slice.</summary>
    public void Add(long amount)
    {
        _slices[_latest % _slices.Length] += amount;
        _total += amount;
    }

    /// <summary>Takes back up to <paramref name="amount"/> from the slice that was current at <paramref name="takenAt"/>,
    /// if it is still in the window; returns what was taken back.</summary>
    public long Credit(long takenAt, long amount)
    {
        var index = takenAt / _sliceTicks;
        if (index <= _latest - _slices.Length || index > _latest)
        {
            return 0;
        }

        ref var slice = ref _slices[index % _slices.Length];
        var credited = Math.Min(amount, slice);
        slice -= credited;
        _total -= credited;
        return credited;
    }

    /// <summary>
    /// How long until <paramref name="amount"/> fits under <paramref name="limit"/> if nothing else is taken: when enough
    /// of the oldest slices have left the window. 0 when it fits now; -1 when it never fits (more than the limit).
    /// </summary>
    public long RetryAfter(long amount, long limit, long now)
    {
        if (amount > limit)
        {
            return -1;
        }

        var excess = _total + amount - limit;
        if (excess <= 0)
        {
            return 0;
        }

        long freed = 0;
        for (var i = Math.Max(0, _latest - _slices.Length + 1); i <= _latest; i++)
        {
            freed += _slices[i % _slices.Length];
            if (freed >= excess)
            {
                // Slice i stops being counted once the current slice is i + length.
                return Math.Max(1, ((i + _slices.Length) * _sliceTicks) - now);
            }
        }

        return Math.Max(1, ((_latest + _slices.Length) * _sliceTicks) - now);
    }

    /// <summary>A counter of another window length or resolution that keeps what this one holds, in its current slice.</summary>
    public WindowCounter Resize(TimeSpan window, int segments, long now)
    {
        Advance(now);
        var resized = new WindowCounter(window, segments);
        resized.Advance(now);
        resized.Add(_total);
        return resized;
    }
}
