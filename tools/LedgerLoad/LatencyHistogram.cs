namespace LedgerLoad;

/// <summary>
/// Latencies in fixed 10 µs buckets up to one second (plus an overflow count and the maximum): memory stays the same
/// however long the run, and recording is one interlocked increment from any number of clients.
/// </summary>
internal sealed class LatencyHistogram
{
    private const double BucketMicroseconds = 10;
    private readonly long[] _buckets = new long[100_000];
    private long _overflow;
    private long _count;
    private long _maxTicks;

    public long Count => Interlocked.Read(ref _count);

    public void Record(TimeSpan latency)
    {
        var bucket = (long)(latency.TotalMicroseconds / BucketMicroseconds);
        if (bucket < _buckets.Length)
        {
            Interlocked.Increment(ref _buckets[bucket]);
        }
        else
        {
            Interlocked.Increment(ref _overflow);
        }

        Interlocked.Increment(ref _count);
        var ticks = latency.Ticks;
        long seen;
        while (ticks > (seen = Interlocked.Read(ref _maxTicks)) && Interlocked.CompareExchange(ref _maxTicks, ticks, seen) != seen)
        {
        }
    }

    public TimeSpan Max => TimeSpan.FromTicks(Interlocked.Read(ref _maxTicks));

    /// <summary>The latency at or below which <paramref name="fraction"/> of the recorded ones fall (upper edge of its bucket).</summary>
    public TimeSpan Percentile(double fraction)
    {
        var count = Count;
        if (count == 0)
        {
            return TimeSpan.Zero;
        }

        var rank = (long)Math.Ceiling(fraction * count);
        long seen = 0;
        for (var i = 0; i < _buckets.Length; i++)
        {
            seen += Interlocked.Read(ref _buckets[i]);
            if (seen >= rank)
            {
                return TimeSpan.FromMicroseconds((i + 1) * BucketMicroseconds);
            }
        }

        return Max;
    }
}
