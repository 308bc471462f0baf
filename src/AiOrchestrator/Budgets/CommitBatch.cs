namespace AiOrchestrator.Budgets;

/// <summary>Journal entries applied in memory and waiting to be written together with one flush to disk.</summary>
internal sealed class CommitBatch(List<JournalEntry> entries)
{
    private readonly TaskCompletionSource _durable = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public List<JournalEntry> Entries { get; } = entries;

    /// <summary>Completes when every entry of the batch is on disk.</summary>
    public Task Durable => _durable.Task;

    public void Complete() => _durable.TrySetResult();

    public void Fail(Exception exception) => _durable.TrySetException(exception);
}
