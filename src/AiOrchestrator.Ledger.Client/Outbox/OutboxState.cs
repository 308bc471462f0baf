namespace AiOrchestrator.Ledger.Client.Outbox;

/// <summary>
/// Where the outbox's uploads stand, kept beside its records: the usage source, the next batch number, and the batch
/// on its way (its number and last record) so a batch sent before a crash is sent again unchanged.
/// </summary>
internal sealed class OutboxState
{
    public const string Key = "usage";

    public string Id { get; set; } = Key;

    public string Source { get; set; } = string.Empty;

    public long NextSequence { get; set; } = 1;

    /// <summary>The sequence of the batch being uploaded, or 0.</summary>
    public long InFlightSequence { get; set; }

    /// <summary>The last record of the batch being uploaded.</summary>
    public long InFlightLastId { get; set; }
}
