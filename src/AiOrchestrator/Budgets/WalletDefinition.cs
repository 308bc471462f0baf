namespace AiOrchestrator.Budgets;

/// <summary>What a wallet is: its id, hard limit, soft thresholds and the time zone its periods follow.</summary>
public sealed record WalletDefinition
{
    /// <summary>The thresholds used when none are given: 50 %, 80 % and 100 % of the period's allowance.</summary>
    public static IReadOnlyList<decimal> DefaultSoftThresholds { get; } = [0.5m, 0.8m, 1m];

    /// <summary>Creates a definition.</summary>
    public WalletDefinition(WalletId id, BudgetLimit limit)
    {
        Id = id;
        Limit = limit;
    }

    /// <summary>The wallet.</summary>
    public WalletId Id { get; init; }

    /// <summary>The hard limit; its currency is the wallet's currency.</summary>
    public BudgetLimit Limit { get; init; }

    /// <summary>
    /// Fractions of the period's allowance (limit plus top-ups), such as 0.8 for 80 %, at which
    /// <see cref="IBudgetLedger.ThresholdCrossed"/> is raised, once per period each, when posted spend reaches them.
    /// </summary>
    public IReadOnlyList<decimal> SoftThresholds { get; init; } = DefaultSoftThresholds;

    /// <summary>The IANA or Windows id of the time zone whose calendar the periods follow; UTC by default.</summary>
    public string TimeZone { get; init; } = "UTC";

    /// <summary>True when both definitions describe the same wallet in the same way.</summary>
    public bool Equals(WalletDefinition? other)
        => other is not null && Id == other.Id && Limit == other.Limit
            && string.Equals(TimeZone, other.TimeZone, StringComparison.Ordinal)
            && SoftThresholds.SequenceEqual(other.SoftThresholds);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Id, Limit, TimeZone, SoftThresholds.Count);
}
