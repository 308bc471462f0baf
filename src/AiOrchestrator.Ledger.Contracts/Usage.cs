namespace AiOrchestrator.Ledger;

/// <summary>
/// A batch of usage records from one source (a process's outbox), uploaded in order: <paramref name="Sequence"/>
/// is 1 for a source's first batch and one more for each next. A batch already applied is a replay and changes
/// nothing; a batch that skips a sequence is refused with 409 and the sequence expected.
/// </summary>
/// <param name="Source">A stable id of the uploading outbox.</param>
/// <param name="Sequence">The batch number within the source.</param>
/// <param name="Records">1 to 5,000 records.</param>
public sealed record UsageBatchRequest(string Source, long Sequence, IReadOnlyList<UsageRecordRequest> Records);

/// <summary>
/// What one call cost. Posted as spend to every listed wallet; when <paramref name="Lease"/> names an active lease
/// the amount comes out of that lease's hold, otherwise (no lease, or expired) it is posted directly.
/// </summary>
/// <param name="Id">A unique id of the record (a record seen before is skipped).</param>
/// <param name="Wallets">The wallets that pay, most specific first.</param>
/// <param name="Amount">A non-negative decimal string.</param>
/// <param name="Currency">The wallets' currency.</param>
/// <param name="At">When the call finished.</param>
/// <param name="Lease">The lease it was spent from, or null.</param>
/// <param name="Scope">The scope's text form, for reports.</param>
/// <param name="Provider">The provider, for reports.</param>
/// <param name="Model">The model, for reports.</param>
/// <param name="InputTokens">Input tokens.</param>
/// <param name="OutputTokens">Output tokens.</param>
public sealed record UsageRecordRequest(
    string Id,
    IReadOnlyList<string> Wallets,
    string Amount,
    string Currency,
    DateTimeOffset At,
    string? Lease,
    string? Scope,
    string? Provider,
    string? Model,
    long InputTokens,
    long OutputTokens);

/// <summary>What a usage batch did.</summary>
/// <param name="Source">The source.</param>
/// <param name="Sequence">The batch number.</param>
/// <param name="Accepted">Records applied.</param>
/// <param name="Duplicates">Records skipped because their id was seen before.</param>
/// <param name="Replayed">True when the whole batch had been applied before.</param>
public sealed record UsageBatchResponse(string Source, long Sequence, int Accepted, int Duplicates, bool Replayed);
