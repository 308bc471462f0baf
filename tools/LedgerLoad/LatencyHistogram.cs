namespace LedgerLoad;

/// <summary>
/// Latencies in fixed buckets, 10 µs wide up to one second and 1 ms wide up to a minute (plus an overflow count and
/// the maximum): memory stays the same however long the run, and recording is one interlocked increment from any
/// number of clients.
/// </summary>
internal sealed class LatencyHistogram
{
    private const double FineMicroseconds = 10;
    private const double CoarseMicroseconds = 1000;
    private readonly long[] _fine = new long[100_000];
    private readonly long[] _coarse = new long[60_000];
    private long _count;
    private long _maxTicks;

    public long Count => Interlocked.Read(ref _count);

    public TimeSpan Max => TimeSpan.FromTicks(Interlocked.Read(ref _maxTicks));

    public void Record(TimeSpan latency)
    {
        var fine = (long)(latency.TotalMicroseconds / FineMicroseconds);
        if (fine < _fine.Length)
        {
            Interlocked.Increment(ref _fine[fine]);
        }
        else
        {
            Interlocked.Increment(ref _coarse[Math.Min(_coarse.Length - 1, (long)(latency.TotalMicroseconds / CoarseMicroseconds))]);
        }

        Interlocked.Increment(ref _count);
        var ticks = latency.Ticks;
        long seen;
        while (ticks > (seen = Interlocked.Read(ref _maxTicks)) && Interlocked.CompareExchange(ref _maxTicks, ticks, seen) != seen)
        {
        }
    }

    /// <summary>The latency at or below which <paramref name="fraction"/> of the recorded ones fall (upper edge of its bucket, at most the maximum).</summary>
    public TimeSpan Percentile(double fraction)
    {
        var count = Count;
        if (count == 0)
        {
            return TimeSpan.Zero;
        }

        var rank = Math.Max(1, (long)Math.Ceiling(fraction * count));
        long seen = 0;
        for (var i = 0; i < _fine.Length; i++)
        {
            seen += Interlocked.Read(ref _fine[i]);
            if (seen >= rank)
            {
                return Min(TimeSpan.FromMicroseconds((i + 1) * FineMicroseconds), Max);
            }
        }

        for (var i = 0; i < _coarse.Length; i++)
        {
            seen += Interlocked.Read(ref _coarse[i]);
            if (seen >= rank)
            {
                return Min(TimeSpan.FromMicroseconds((i + 1) * CoarseMicroseconds), Max);
            }
        }

        return Max;
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
