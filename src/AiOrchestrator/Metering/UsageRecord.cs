namespace AiOrchestrator.Metering;

/// <summary>What one call to a model used and cost, for whom, and how it went. One is kept per call and attempt.</summary>
public sealed record UsageRecord
{
    /// <summary>A unique id of this record.</summary>
    public required Guid Id { get; init; }

    /// <summary>When the call started (UTC).</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>Who the call was made for.</summary>
    public required AiScope Scope { get; init; }

    /// <summary>The provider that served the call, as its client reports it (for example <c>openai</c>).</summary>
    public string? Provider { get; init; }

    /// <summary>The model that served the call (the response's model id when it reports one).</summary>
    public required string Model { get; init; }

    /// <summary>The routing target (its configured name) that made this attempt, or null when the call was not routed.</summary>
    public string? Route { get; init; }

    /// <summary>The normalised token counts.</summary>
    public TokenUsage Usage { get; init; }

    /// <summary>The exact cost of the call.</summary>
    public Money Cost { get; init; }

    /// <summary>The part of <see cref="Cost"/> for input units (plain, cached, cache writes, audio, image...), in its currency.</summary>
    public decimal InputCost { get; init; }

    /// <summary>The part of <see cref="Cost"/> for output units (text, reasoning, audio, image...), in its currency.</summary>
    public decimal OutputCost { get; init; }

    /// <summary>The part of <see cref="Cost"/> for units that are neither input nor output (web searches, the per-request price).</summary>
    public decimal OtherCost { get; init; }

    /// <summary>
    /// True when the price came from another provider's list: one the provider declares as its fallback (Azure →
    /// OpenAI), or the model's maker when the client named no provider.
    /// </summary>
    public bool UsedFallbackProvider { get; init; }

    /// <summary>
    /// The units the usage counted that the price does not cover (comma-separated, such as <c>web_searches</c>): they are
    /// not in <see cref="Cost"/>. <see langword="null"/> when everything was priced.
    /// </summary>
    public string? UnpricedUnits { get; init; }

    /// <summary>True when the answer came from the response cache: nothing was sent, and <see cref="Cost"/> is zero.</summary>
    public bool CacheHit { get; init; }

    /// <summary>True when the cache hit was semantic: a stored answer to a similar enough request, not the same one.</summary>
    public bool SemanticCacheHit { get; init; }

    /// <summary>
    /// For a cache hit, what the call would have cost had it gone to the provider: its usage at the price in effect at
    /// the hit. Zero for other records (and for a hit whose model can no longer be priced).
    /// </summary>
    public decimal CostAvoided { get; init; }

    /// <summary>True when the model had no price and the configured fallback price was used.</summary>
    public bool UsedFallbackPrice { get; init; }

    /// <summary>
    /// True when the provider answered with a model id the catalog cannot price (a deployment name, an unknown
    /// snapshot): the call was priced at the price of the model it asked for, which was checked before it was sent.
    /// </summary>
    public bool PricedAsRequestedModel { get; init; }

    /// <summary>
    /// The id of the call this attempt belongs to: it also keys the call's budget reservations in the ledger (and its
    /// audit entries), so a record can be matched with what the ledger holds. Empty in records written before it was kept.
    /// </summary>
    public Guid CallId { get; init; }

    /// <summary>True when the call was streamed.</summary>
    public bool Streaming { get; init; }

    /// <summary>How long the call took, to the last byte.</summary>
    public TimeSpan Latency { get; init; }

    /// <summary>How long the first content took to arrive, for streamed calls.</summary>
    public TimeSpan? TimeToFirstToken { get; init; }

    /// <summary>How the call ended.</summary>
    public CallOutcome Outcome { get; init; }

    /// <summary>The type of the error when the call failed.</summary>
    public string? Error { get; init; }
}
