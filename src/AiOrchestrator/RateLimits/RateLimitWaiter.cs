namespace AiOrchestrator.RateLimits;

/// <summary>
/// A call waiting for limits to free up. It sits in the queue of the limit that refused it last (one queue at a time)
/// and is woken when it reaches the head of that queue, when the limit gets permits back, when its retry-after
/// passes (head only) or when it is cancelled; it then tries all its limits again.
/// </summary>
internal sealed class RateLimitWaiter : IDisposable
{
    private readonly TimeProvider _timeProvider;
    private TaskCompletionSource? _signal;
    private ITimer? _timer;

    public RateLimitWaiter(TimeProvider timeProvider) => _timeProvider = timeProvider;

    /// <summary>The limit whose queue holds this waiter, and its node there; only the waiter's own flow changes them.</summary>
    public WindowLimiter? QueuedAt { get; set; }

    public LinkedListNode<RateLimitWaiter>? Node { get; set; }

    /// <summary>A queue this waiter has just moved out of, to leave once no lock is held.</summary>
    public (WindowLimiter Limiter, LinkedListNode<RateLimitWaiter> Node)? Previous { get; set; }

    /// <summary>Starts a wait: signals from now on complete the returned task.</summary>
    public Task Arm()
    {
        var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _signal, signal);
        return signal.Task;
    }

    public void Signal() => Volatile.Read(ref _signal)?.TrySetResult();

    /// <summary>Signals after <paramref name="ticks"/> of the limiter's time.</summary>
    public void WakeAfter(long ticks)
    {
        _timer ??= _timeProvider.CreateTimer(static s => ((RateLimitWaiter)s!).Signal(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _timer.Change(TimeSpan.FromTicks(Math.Max(1, ticks)), Timeout.InfiniteTimeSpan);
    }

    /// <summary>Leaves the queue moved out of, if any.</summary>
    public void LeavePrevious()
    {
        if (Previous is { } previous)
        {
            Previous = null;
            previous.Limiter.Remove(previous.Node);
        }
    }

    /// <summary>Leaves every queue.</summary>
    public void Leave()
    {
        LeavePrevious();
        if (QueuedAt is { } limiter && Node is { } node)
        {
            QueuedAt = null;
            Node = null;
            limiter.Remove(node);
        }
    }

    public void Dispose() => _timer?.Dispose();
}
