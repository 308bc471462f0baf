using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace AiOrchestrator.Budgets;

/// <summary>
/// Budget instruments on the <c>AiOrchestrator</c> meter, created through <see cref="IMeterFactory"/> when one is
/// given (so they are scoped to the host's container) and on an own meter otherwise. Tagged by the wallet's scope
/// level (<c>organization</c>, <c>team</c>, <c>user</c>, <c>app</c>): per-user wallet ids would make one time series
/// per user. <see cref="BudgetOptions.MetricsByWallet"/> adds the wallet id.
/// </summary>
internal sealed class BudgetMetrics : IDisposable
{
    public const string MeterName = "AiOrchestrator";

    private const string LevelTag = "aiorchestrator.wallet.level";
    private const string WalletTag = "aiorchestrator.wallet";

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly bool _byWallet;

    public BudgetMetrics(IMeterFactory? meterFactory, bool byWallet)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(new MeterOptions(MeterName)) ?? new Meter(MeterName);
        _byWallet = byWallet;
        Rejections = _meter.CreateCounter<long>(
            "aiorchestrator.budget.rejections", "{reservation}", "Reservations refused because a wallet could not cover them.");
        ThresholdsCrossed = _meter.CreateCounter<long>(
            "aiorchestrator.budget.threshold_crossed", "{threshold}", "Soft budget thresholds crossed, once per wallet, threshold and period.");
        Exhausted = _meter.CreateCounter<long>(
            "aiorchestrator.budget.exhausted", "{wallet}", "Wallets that ran out in their period, once per wallet and period.");
        Overruns = _meter.CreateCounter<long>(
            "aiorchestrator.budget.overruns", "{settlement}", "Settlements that posted more than their reservation held, per wallet charged.");
        Evicted = _meter.CreateCounter<long>(
            "aiorchestrator.budget.idempotency.evicted", "{call}", "Call records forgotten before their idempotency window ended because MaxRememberedCalls was reached.");
    }

    public Counter<long> Rejections { get; }

    public Counter<long> ThresholdsCrossed { get; }

    public Counter<long> Exhausted { get; }

    public Counter<long> Overruns { get; }

    public Counter<long> Evicted { get; }

    public static string LevelName(WalletLevel level) => level switch
    {
        WalletLevel.Organization => "organization",
        WalletLevel.Team => "team",
        WalletLevel.User => "user",
        _ => "app",
    };

    public void RecordRejection(WalletId wallet)
    {
        if (Rejections.Enabled)
        {
            Rejections.Add(1, Tags(wallet));
        }
    }

    public void RecordThreshold(BudgetThresholdCrossedEventArgs e)
    {
        if (ThresholdsCrossed.Enabled)
        {
            var tags = Tags(e.Wallet);
            tags.Add("aiorchestrator.budget.threshold", e.Threshold);
            ThresholdsCrossed.Add(1, tags);
        }
    }

    public void RecordExhausted(WalletExhaustedEventArgs e)
    {
        if (Exhausted.Enabled)
        {
            Exhausted.Add(1, Tags(e.Wallet));
        }
    }

    public void RecordOverruns(WalletId[] wallets)
    {
        if (Overruns.Enabled)
        {
            foreach (var wallet in wallets)
            {
                Overruns.Add(1, Tags(wallet));
            }
        }
    }

    public void RecordEvicted(long count)
    {
        if (Evicted.Enabled)
        {
            Evicted.Add(count);
        }
    }

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    private TagList Tags(WalletId wallet)
    {
        var tags = new TagList { { LevelTag, LevelName(wallet.Level) } };
        if (_byWallet)
        {
            tags.Add(WalletTag, wallet.Value);
        }

        return tags;
    }
}
