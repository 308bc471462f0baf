namespace AiOrchestrator.Ledger.Server.Storage.Rows;

/// <summary>
/// One entry of a wallet's history. <see cref="Sequence"/> is assigned by the store when written (strictly
/// increasing); <see cref="Kind"/> is one of <see cref="Domain.TransactionKinds"/>.
/// </summary>
internal sealed record TransactionRow(
    long Sequence,
    string Organisation,
    string Wallet,
    string Kind,
    decimal Amount,
    decimal SpendChange,
    string Currency,
    DateTimeOffset At,
    string? Reference);
