using AiOrchestrator.Pipeline;

namespace AiOrchestrator.Metering;

/// <summary>
/// The metering stage: once an attempt has ended, keeps its usage record at the cost the attempt's pricing rule
/// gives (see <see cref="AiCallAttempt.GetCost"/>), in both pipelines. Innermost, so every attempt that reached the
/// provider is recorded.
/// </summary>
internal sealed class MeteringStage(UsageMeter meter) : AttemptStage
{
    public override string Name => "metering";

    public UsageMeter Meter => meter;

    public override ValueTask StartAsync(AiCallAttempt attempt, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public override ValueTask EndAsync(AiCallAttempt attempt)
    {
        meter.Record(attempt);
        return ValueTask.CompletedTask;
    }
}
