namespace AiOrchestrator.Ledger.Server.Storage.Rows;

/// <summary>An anchored audit checkpoint.</summary>
internal sealed record CheckpointRow(
    string Organisation,
    string Source,
    long Size,
    string RootHash,
    DateTimeOffset At,
    string Signature,
    string? KeyId,
    DateTimeOffset AnchoredAt);
