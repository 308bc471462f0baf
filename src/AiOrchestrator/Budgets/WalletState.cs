namespace AiOrchestrator.Budgets;

/// <summary>The authoritative in-memory state of one wallet. Read and changed only under the ledger's lock.</summary>
internal sealed class WalletState
{
    public WalletState(WalletDefinition definition, long nowTicks)
    {
        Id = definition.Id;
        Currency = definition.Limit.Amount.Currency;
        Definition = definition;
        Zone = BudgetCalendar.FindZone(definition.TimeZone);
        Thresholds = Sorted(definition.SoftThresholds);
        Limit = definition.Limit.Amount.Amount;
        StartPeriod(BudgetCalendar.PeriodStart(definition.Limit.Period, Zone, nowTicks));
    }

    /// <summary>Restores a wallet from a snapshot.</summary>
    public WalletState(WalletDefinition definition, long periodStartTicks, decimal spent, decimal topUps, decimal reserved, long crossed, bool exhausted, long overruns = 0, decimal overrunAmount = 0m)
        : this(definition, periodStartTicks)
    {
        Overruns = overruns;
        OverrunAmount = overrunAmount;
        StartPeriod(periodStartTicks);
        Spent = spent;
        TopUps = topUps;
        Reserved = reserved;
        Crossed = crossed;
        Exhausted = exhausted;
    }

    public WalletId Id { get; }

    public string Currency { get; }

    public WalletDefinition Definition { get; private set; }

    public TimeZoneInfo Zone { get; private set; }

    public decimal[] Thresholds { get; private set; }

    public BudgetPeriod Period => Definition.Limit.Period;

    public decimal Limit { get; private set; }

    public long PeriodStartTicks { get; private set; }

    public long ResetsAtTicks { get; private set; }

    public decimal Spent { get; set; }

    public decimal TopUps { get; set; }

    public decimal Reserved { get; set; }

    /// <summary>Bit i is set when <see cref="Thresholds"/>[i] was crossed in this period.</summary>
    public long Crossed { get; set; }

    /// <summary>True when the exhausted event was raised in this period.</summary>
    public bool Exhausted { get; set; }

    /// <summary>Settlements above their reservation, since the wallet was created (not reset by periods).</summary>
    public long Overruns { get; set; }

    /// <summary>The total by which settlements exceeded their reservations, since the wallet was created.</summary>
    public decimal OverrunAmount { get; set; }

    public decimal Allowance => Limit + TopUps;

    public decimal Balance => Limit + TopUps - Spent;

    public decimal Available => Limit + TopUps - Spent - Reserved;

    public DateTimeOffset? ResetsAt => ResetsAtTicks == long.MaxValue ? null : new DateTimeOffset(ResetsAtTicks, TimeSpan.Zero);

    public Money ToMoney(decimal amount) => new(amount, Currency);

    public BudgetLimit CurrentLimit => new(ToMoney(Limit), Period);

    public void Redefine(WalletDefinition definition, long nowTicks)
    {
        var periodChanged = definition.Limit.Period != Definition.Limit.Period
            || !string.Equals(definition.TimeZone, Definition.TimeZone, StringComparison.Ordinal);
        Definition = definition;
        Zone = BudgetCalendar.FindZone(definition.TimeZone);
        Limit = definition.Limit.Amount.Amount;
        if (!Thresholds.AsSpan().SequenceEqual(Sorted(definition.SoftThresholds)))
        {
            Thresholds = Sorted(definition.SoftThresholds);
            Crossed = 0;
        }

        if (periodChanged)
        {
            // Spend so far stays counted; the boundaries follow the new calendar from now on.
            PeriodStartTicks = BudgetCalendar.PeriodStart(Period, Zone, nowTicks);
            ResetsAtTicks = BudgetCalendar.NextStart(Period, Zone, PeriodStartTicks);
        }
    }

    public void ChangeLimit(decimal limit)
    {
        Limit = limit;
        Definition = Definition with { Limit = new BudgetLimit(ToMoney(limit), Period) };
    }

    public void StartPeriod(long startTicks)
    {
        PeriodStartTicks = startTicks;
        ResetsAtTicks = BudgetCalendar.NextStart(Period, Zone, startTicks);
        Spent = 0m;
        TopUps = 0m;
        Crossed = 0;
        Exhausted = false;
    }

    public Wallet ToSnapshot()
    {
        var crossed = new List<decimal>();
        for (var i = 0; i < Thresholds.Length; i++)
        {
            if ((Crossed & (1L << i)) != 0)
            {
                crossed.Add(Thresholds[i]);
            }
        }

        return new Wallet
        {
            Id = Id,
            Limit = CurrentLimit,
            TopUps = ToMoney(TopUps),
            Spent = ToMoney(Spent),
            Reserved = ToMoney(Reserved),
            PeriodStart = new DateTimeOffset(PeriodStartTicks, TimeSpan.Zero),
            ResetsAt = ResetsAt,
            CrossedThresholds = crossed,
            Overruns = Overruns,
            OverrunAmount = ToMoney(OverrunAmount),
            Definition = Definition,
        };
    }

    private static decimal[] Sorted(IReadOnlyList<decimal> thresholds)
    {
        var sorted = new decimal[thresholds.Count];
        for (var i = 0; i < sorted.Length; i++)
        {
            sorted[i] = thresholds[i];
        }

        Array.Sort(sorted);
        return sorted;
    }
}
