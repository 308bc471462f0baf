namespace AiOrchestrator.Budgets;

/// <summary>A wallet as configured (code or appsettings.json, under <c>AiOrchestrator:Budgets:Wallets</c>).</summary>
public sealed class WalletOptions
{
    /// <summary>The wallet id, such as <c>org:acme</c>, <c>team:acme/search</c> or <c>user:acme/search/alice</c>.</summary>
    public string Id { get; set; } = string.Empty;

    /// <summary>The hard limit per period.</summary>
    public decimal Limit { get; set; }

    /// <summary>The ISO 4217 currency of the wallet; USD by default.</summary>
    public string Currency { get; set; } = Money.DefaultCurrency;

    /// <summary>How often the spend resets; monthly by default.</summary>
    public BudgetPeriod Period { get; set; } = BudgetPeriod.Month;

    /// <summary>Soft thresholds as fractions of the allowance (0.8 = 80 %); null for 0.5, 0.8 and 1.</summary>
    public IList<decimal>? SoftThresholds { get; set; }

    /// <summary>The time zone of the wallet's calendar; null for <see cref="BudgetOptions.TimeZone"/>.</summary>
    public string? TimeZone { get; set; }

    internal WalletDefinition ToDefinition(string defaultTimeZone) => new(WalletId.Parse(Id), new BudgetLimit(new Money(Limit, Currency), Period))
    {
        SoftThresholds = SoftThresholds is null ? WalletDefinition.DefaultSoftThresholds : [.. SoftThresholds],
        TimeZone = TimeZone ?? defaultTimeZone,
    };
}
