namespace AiOrchestrator.Routing;

/// <summary>
/// Exponentially weighted moving averages of a target's latency (buffered calls) and time to first update (streams),
/// in milliseconds. Lock-free: a lost update under a race only delays the average by one sample.
/// </summary>
internal sealed class LatencyAverage
{
    /// <summary>The weight of a new sample: about the last ten calls count.</summary>
    public const double Alpha = 0.2;

    private double _latencyMs = double.NaN;
    private double _firstUpdateMs = double.NaN;

    /// <summary>The average latency of buffered calls, or NaN before the first.</summary>
    public double LatencyMs => Volatile.Read(ref _latencyMs);

    /// <summary>The average time to first update of streams, or NaN before the first.</summary>
    public double FirstUpdateMs => Volatile.Read(ref _firstUpdateMs);

    /// <summary>The score the fastest strategy ranks by: lower is faster; NaN when not yet measured.</summary>
    public double Score(bool streaming)
    {
        var primary = streaming ? FirstUpdateMs : LatencyMs;
        return double.IsNaN(primary) ? (streaming ? LatencyMs : FirstUpdateMs) : primary;
    }

    public void AddLatency(TimeSpan latency) => Add(ref _latencyMs, latency.TotalMilliseconds);

    public void AddFirstUpdate(TimeSpan firstUpdate) => Add(ref _firstUpdateMs, firstUpdate.TotalMilliseconds);

    private static void Add(ref double average, double sample)
    {
        var old = Volatile.Read(ref average);
        Volatile.Write(ref average, double.IsNaN(old) ? sample : old + (Alpha * (sample - old)));
    }
}
