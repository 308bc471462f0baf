namespace AiOrchestrator.Tests.Budgets;

/// <summary>A journal path in a fresh temporary directory that is deleted on dispose.</summary>
internal sealed class TempJournal : IDisposable
{
    private readonly string _directory = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "aio-budget-tests", Guid.NewGuid().ToString("N"));

    public TempJournal()
    {
        Path = System.IO.Path.Combine(_directory, "budget.journal");
    }

    public string Path { get; }

    public static implicit operator string(TempJournal journal) => journal.Path;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a file still open elsewhere is cleaned up with the temp directory.
        }
    }
}
