using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace AiOrchestrator.Budgets;

/// <summary>Budget instruments on the <c>AiOrchestrator</c> meter.</summary>
internal static class BudgetMetrics
{
    public const string MeterName = "AiOrchestrator";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>Reservations refused because a wallet could not cover them.</summary>
    public static readonly Counter<long> Rejections = Meter.CreateCounter<long>(
        "aiorchestrator.budget.rejections", "{reservation}", "Reservations refused because a wallet could not cover them.");

    /// <summary>Soft thresholds crossed (once per wallet, threshold and period).</summary>
    public static readonly Counter<long> ThresholdsCrossed = Meter.CreateCounter<long>(
        "aiorchestrator.budget.threshold_crossed", "{threshold}", "Soft budget thresholds crossed, once per wallet, threshold and period.");

    /// <summary>Wallets that ran out in their period (once per wallet and period).</summary>
    public static readonly Counter<long> Exhausted = Meter.CreateCounter<long>(
        "aiorchestrator.budget.exhausted", "{wallet}", "Wallets that ran out in their period, once per wallet and period.");

    public static void RecordRejection(WalletId wallet)
    {
        if (Rejections.Enabled)
        {
            Rejections.Add(1, new TagList { { "aiorchestrator.wallet.level", LevelName(wallet.Level) } });
        }
    }

    public static void RecordThreshold(BudgetThresholdCrossedEventArgs e)
    {
        if (ThresholdsCrossed.Enabled)
        {
            ThresholdsCrossed.Add(1, new TagList
            {
                { "aiorchestrator.wallet", e.Wallet.Value },
                { "aiorchestrator.wallet.level", LevelName(e.Wallet.Level) },
                { "aiorchestrator.budget.threshold", e.Threshold },
            });
        }
    }

    public static void RecordExhausted(WalletExhaustedEventArgs e)
    {
        if (Exhausted.Enabled)
        {
            Exhausted.Add(1, new TagList
            {
                { "aiorchestrator.wallet", e.Wallet.Value },
                { "aiorchestrator.wallet.level", LevelName(e.Wallet.Level) },
            });
        }
    }

    private static string LevelName(WalletLevel level) => level switch
    {
        WalletLevel.Organization => "org",
        WalletLevel.Team => "team",
        WalletLevel.User => "user",
        _ => "app",
    };
}
