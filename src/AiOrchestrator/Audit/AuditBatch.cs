namespace AiOrchestrator.Audit;

/// <summary>Events queued for the writer, written together with one flush to disk; the first has <see cref="FirstSequence"/>.</summary>
internal sealed class AuditBatch(long firstSequence, List<AuditBatch.Pending>? entries = null)
{
    private readonly TaskCompletionSource _durable = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public long FirstSequence { get; } = firstSequence;

    public List<Pending> Entries { get; } = entries ?? [];

    /// <summary>Completes when every entry of the batch is on disk.</summary>
    public Task Durable => _durable.Task;

    public void Complete() => _durable.TrySetResult();

    public void Fail(Exception exception) => _durable.TrySetException(exception);

    /// <summary>An event and the time it was appended (UTC ticks).</summary>
    internal readonly struct Pending(in AuditEvent auditEvent, long ticks)
    {
        public readonly AuditEvent Event = auditEvent;
        public readonly long Ticks = ticks;
    }
}
