namespace AiOrchestrator.RateLimits;

/// <summary>
/// The limiter's time: <see cref="TimeSpan"/> ticks since it was created, read from a <see cref="TimeProvider"/> so
/// tests and the trace replay run on a virtual clock. (The BCL's limiters read the wall clock and take no
/// <see cref="TimeProvider"/>, which is why the windows here are the project's own.)
/// </summary>
internal sealed class RateLimitClock
{
    private readonly long _origin;
    private readonly long _divisor;
    private readonly double _scale;

    public RateLimitClock(TimeProvider timeProvider)
    {
        TimeProvider = timeProvider;
        _origin = timeProvider.GetTimestamp();
        var frequency = timeProvider.TimestampFrequency;
        _divisor = frequency >= TimeSpan.TicksPerSecond && frequency % TimeSpan.TicksPerSecond == 0 ? frequency / TimeSpan.TicksPerSecond : 0;
        _scale = (double)TimeSpan.TicksPerSecond / frequency;
    }

    public TimeProvider TimeProvider { get; }

    /// <summary>Ticks since the clock was created.</summary>
    public long Now()
    {
        var elapsed = TimeProvider.GetTimestamp() - _origin;
        return _divisor != 0 ? elapsed / _divisor : (long)(elapsed * _scale);
    }
}
