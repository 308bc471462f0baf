namespace AiOrchestrator.Routing;

/// <summary>
/// One target's circuit: closed (calls pass), open (calls skip it until the break ends), half-open (one probe call;
/// success closes, failure reopens). Opens on consecutive failures or a failure ratio within a sampling window.
/// </summary>
/// <remarks>
/// A small breaker of our own rather than Polly's: the router must ask "may I try this target now?" before choosing
/// it, for every target of a route, and record the outcome afterwards; Polly's breaker wraps an execution instead,
/// and would add a resilience context and a pipeline call per attempt. Here a healthy target costs one volatile
/// read to acquire and, on success, a few interlocked operations. Transitions take a lock; they are rare.
/// </remarks>
internal sealed class CircuitBreaker
{
    private readonly CircuitBreakerOptions _options;
    private readonly TimeProvider _time;
    private readonly long _samplingTicks;
    private readonly Lock _gate = new();

    private int _state;
    private int _consecutiveFailures;
    private int _windowCalls;
    private int _windowFailures;
    private long _windowStart;
    private long _openUntil;
    private long _probeStarted;

    public CircuitBreaker(CircuitBreakerOptions options, TimeProvider time)
    {
        _options = options;
        _time = time;
        _samplingTicks = ToTimestampTicks(options.SamplingDuration, time);
        _windowStart = time.GetTimestamp();
    }

    public CircuitState State => (CircuitState)Volatile.Read(ref _state);

    /// <summary>When an open circuit allows its next probe (a timestamp of the time provider).</summary>
    public long OpenUntil => Volatile.Read(ref _openUntil);

    /// <summary>
    /// True when a call may try the target now. A call that gets true must end with exactly one of
    /// <see cref="OnSuccess"/>, <see cref="OnFailure"/> or <see cref="OnNeutral"/>.
    /// </summary>
    public bool TryAcquire(long now)
    {
        var state = Volatile.Read(ref _state);
        if (state == (int)CircuitState.Closed)
        {
            return true;
        }

        lock (_gate)
        {
            switch ((CircuitState)_state)
            {
                case CircuitState.Closed:
                    return true;
                case CircuitState.Open when now >= _openUntil:
                    // The break is over: this call is the probe.
                    _probeStarted = now;
                    Volatile.Write(ref _state, (int)CircuitState.HalfOpen);
                    return true;
                case CircuitState.HalfOpen when now - _probeStarted >= ToTimestampTicks(_options.BreakDuration, _time):
                    // A probe that never reported back (lost) must not keep the target out for ever.
                    _probeStarted = now;
                    return true;
                default:
                    return false;
            }
        }
    }

    /// <summary>The target served the call (or answered in a way that shows it is up, such as a 400).</summary>
    public void OnSuccess(long now)
    {
        if (Volatile.Read(ref _state) == (int)CircuitState.Closed)
        {
            if (Volatile.Read(ref _consecutiveFailures) != 0)
            {
                Volatile.Write(ref _consecutiveFailures, 0);
            }

            CountCall(now, failed: false);
            return;
        }

        lock (_gate)
        {
            if (_state == (int)CircuitState.HalfOpen)
            {
                Close(now);
            }
        }
    }

    /// <summary>The target failed with a retryable error; <paramref name="retryAfter"/> is the provider's hint, if any.</summary>
    /// <returns>True when this failure opened the circuit.</returns>
    public bool OnFailure(long now, TimeSpan? retryAfter)
    {
        lock (_gate)
        {
            var breakTicks = ToTimestampTicks(_options.BreakDuration, _time);
            if (retryAfter is { } hint && hint > TimeSpan.Zero && _options.MaxRetryAfter > TimeSpan.Zero)
            {
                // The provider said when to come back: skip the target until then (within reason).
                _consecutiveFailures++;
                var hintTicks = ToTimestampTicks(hint < _options.MaxRetryAfter ? hint : _options.MaxRetryAfter, _time);
                return Open(now, _state == (int)CircuitState.HalfOpen ? Math.Max(hintTicks, breakTicks) : hintTicks);
            }

            if (_state == (int)CircuitState.HalfOpen)
            {
                return Open(now, breakTicks);
            }

            if (_state == (int)CircuitState.Open)
            {
                return false;
            }

            _consecutiveFailures++;
            CountCall(now, failed: true);
            var threshold = _options.ConsecutiveFailures;
            var tripped = (threshold > 0 && _consecutiveFailures >= threshold)
                || (_windowCalls >= _options.MinimumThroughput && _windowFailures >= _options.FailureRatio * _windowCalls);
            return tripped && Open(now, breakTicks);
        }
    }

    /// <summary>The call ended without saying anything about the target (the caller cancelled it).</summary>
    public void OnNeutral(long now)
    {
        if (Volatile.Read(ref _state) == (int)CircuitState.Closed)
        {
            return;
        }

        lock (_gate)
        {
            if (_state == (int)CircuitState.HalfOpen)
            {
                // Give the probe back: the next call may probe at once.
                _openUntil = now;
                Volatile.Write(ref _state, (int)CircuitState.Open);
            }
        }
    }

    private static long ToTimestampTicks(TimeSpan duration, TimeProvider time)
        => (long)(duration.Ticks * (time.TimestampFrequency / (double)TimeSpan.TicksPerSecond));

    private void CountCall(long now, bool failed)
    {
        if (now - Volatile.Read(ref _windowStart) >= _samplingTicks)
        {
            lock (_gate)
            {
                if (now - _windowStart >= _samplingTicks)
                {
                    _windowStart = now;
                    _windowCalls = 0;
                    _windowFailures = 0;
                }
            }
        }

        Interlocked.Increment(ref _windowCalls);
        if (failed)
        {
            Interlocked.Increment(ref _windowFailures);
        }
    }

    private bool Open(long now, long breakTicks)
    {
        _openUntil = now + breakTicks;
        Volatile.Write(ref _state, (int)CircuitState.Open);
        return true;
    }

    private void Close(long now)
    {
        _consecutiveFailures = 0;
        _windowStart = now;
        _windowCalls = 0;
        _windowFailures = 0;
        Volatile.Write(ref _state, (int)CircuitState.Closed);
    }
}
