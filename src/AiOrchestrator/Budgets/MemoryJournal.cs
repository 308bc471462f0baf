namespace AiOrchestrator.Budgets;

/// <summary>
/// The journal of a ledger without a store path: records kept in memory (in chunks, so growth never copies them)
/// only to answer history queries. Nothing survives the process. Not thread-safe: used under the ledger's lock.
/// </summary>
internal sealed class MemoryJournal
{
    private const int ChunkSize = 4096;

    private readonly List<JournalEntry[]> _chunks = [];
    private int _count;

    public int Count => _count;

    public void Add(in JournalEntry entry)
    {
        var index = _count % ChunkSize;
        if (index == 0)
        {
            _chunks.Add(new JournalEntry[ChunkSize]);
        }

        _chunks[^1][index] = entry;
        _count++;
    }

    /// <summary>Copies the records so they can be replayed outside the lock.</summary>
    public JournalEntry[] ToArray()
    {
        var all = new JournalEntry[_count];
        for (var i = 0; i < _chunks.Count; i++)
        {
            var length = Math.Min(ChunkSize, _count - (i * ChunkSize));
            Array.Copy(_chunks[i], 0, all, i * ChunkSize, length);
        }

        return all;
    }
}
