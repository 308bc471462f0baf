using System.Globalization;

namespace AiOrchestrator.Ledger.Client.Outbox;

/// <summary>One settled spend waiting in the outbox to be uploaded as a usage record; <see cref="Id"/> keeps their order.</summary>
internal sealed class OutboxRecord
{
    /// <summary>The outbox's own position (auto-increment): records upload in this order.</summary>
    public long Id { get; set; }

    /// <summary>The usage record's id: the call id and attempt, so a record uploaded twice is applied once.</summary>
    public string RecordId { get; set; } = string.Empty;

    public string[] Wallets { get; set; } = [];

    public decimal Amount { get; set; }

    public string Currency { get; set; } = Money.DefaultCurrency;

    public DateTime At { get; set; }

    /// <summary>The lease it was spent from; null for fallback spend (posted directly).</summary>
    public string? Lease { get; set; }

    /// <summary>True when it was spent from the fallback allowance while the ledger was unreachable.</summary>
    public bool Fallback { get; set; }

    public string? Scope { get; set; }

    public string? Provider { get; set; }

    public string? Model { get; set; }

    public long InputTokens { get; set; }

    public long OutputTokens { get; set; }

    public UsageRecordRequest ToRequest()
        => new(RecordId, Wallets, Amount.ToString(CultureInfo.InvariantCulture), Currency, new DateTimeOffset(DateTime.SpecifyKind(At, DateTimeKind.Utc)), Lease, Scope, Provider, Model, InputTokens, OutputTokens);
}
