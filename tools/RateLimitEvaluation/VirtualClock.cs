namespace RateLimitEvaluation;

/// <summary>A clock the replay moves by hand: the limiter sees the trace's time, not the machine's.</summary>
internal sealed class VirtualClock : TimeProvider
{
    private static readonly DateTimeOffset Start = new(2023, 11, 16, 18, 15, 0, TimeSpan.Zero);

    public long Ticks { get; set; }

    public override DateTimeOffset GetUtcNow() => Start.AddTicks(Ticks);

    public override long GetTimestamp() => Ticks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;
}
