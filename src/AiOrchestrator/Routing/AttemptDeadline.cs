namespace AiOrchestrator.Routing;

/// <summary>
/// One attempt's timeout: a token cancelled when the caller cancels or the target's time is up. Made only for targets
/// with a timeout; with the system clock it uses the token source's own timer, otherwise one from the time provider
/// (so tests can drive it with a fake clock).
/// </summary>
internal sealed class AttemptDeadline : IDisposable
{
    private readonly CancellationTokenSource _source;
    private readonly CancellationToken _caller;
    private ITimer? _timer;

    public AttemptDeadline(TimeSpan timeout, TimeProvider time, CancellationToken caller)
    {
        _caller = caller;
        _source = CancellationTokenSource.CreateLinkedTokenSource(caller);
        if (time == TimeProvider.System)
        {
            _source.CancelAfter(timeout);
        }
        else
        {
            _timer = time.CreateTimer(static state => Cancel((CancellationTokenSource)state!), _source, timeout, System.Threading.Timeout.InfiniteTimeSpan);
        }
    }

    public CancellationToken Token => _source.Token;

    /// <summary>True when the attempt was cancelled by its timeout, not by the caller.</summary>
    public bool TimedOut => _source.IsCancellationRequested && !_caller.IsCancellationRequested;

    /// <summary>Stops the clock (a stream's first update arrived); the caller can still cancel.</summary>
    public void Stop()
    {
        if (_timer is not null)
        {
            _timer.Dispose();
            _timer = null;
        }
        else if (!_source.IsCancellationRequested)
        {
            _source.CancelAfter(System.Threading.Timeout.InfiniteTimeSpan);
        }
    }

    public void Dispose()
    {
        _timer?.Dispose();
        _source.Dispose();
    }

    private static void Cancel(CancellationTokenSource source)
    {
        try
        {
            source.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The attempt ended as the timer fired.
        }
    }
}
