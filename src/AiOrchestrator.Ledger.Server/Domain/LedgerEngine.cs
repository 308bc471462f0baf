using AiOrchestrator.Budgets;
using AiOrchestrator.Ledger.Server.Problems;
using AiOrchestrator.Ledger.Server.Storage;
using AiOrchestrator.Ledger.Server.Storage.Rows;

namespace AiOrchestrator.Ledger.Server.Domain;

/// <summary>
/// The ledger's rules in one place, independent of the store: functions from the rows a unit of work loaded (and the
/// time) to the rows to write (<see cref="LedgerChanges"/>), or a <see cref="LedgerProblemException"/> that rejects
/// the request. Availability = limit + top-ups − spent − reserved − leased over the wallet's current period.
/// </summary>
internal static partial class LedgerEngine
{
    /// <summary>The wallet as of <paramref name="now"/>: a new period starts with no spend and no top-ups; holds carry over.</summary>
    public static WalletRow Roll(WalletRow wallet, DateTimeOffset now)
    {
        var start = PeriodStart(wallet.Period, wallet.TimeZone, now);
        return start == wallet.PeriodStart ? wallet : wallet with { PeriodStart = start, Spent = 0m, TopUps = 0m };
    }

    public static DateTimeOffset PeriodStart(BudgetPeriod period, string timeZone, DateTimeOffset now)
    {
        BudgetCalendar.TryFindZone(timeZone, out var zone);
        return new DateTimeOffset(BudgetCalendar.PeriodStart(period, zone, now.UtcTicks), TimeSpan.Zero);
    }

    public static DateTimeOffset? PeriodEnd(WalletRow wallet)
    {
        if (wallet.Period == BudgetPeriod.Total)
        {
            return null;
        }

        BudgetCalendar.TryFindZone(wallet.TimeZone, out var zone);
        return new DateTimeOffset(BudgetCalendar.NextStart(wallet.Period, zone, wallet.PeriodStart.UtcTicks), TimeSpan.Zero);
    }

    /// <summary>What can still be reserved or leased, never below zero (usage may post past the limit).</summary>
    public static decimal Available(WalletRow w) => Math.Max(0m, w.Limit + w.TopUps - w.Spent - w.Reserved - w.Leased);

    /// <summary>The wallets, rolled to now; unknown wallets and other currencies are rejected.</summary>
    public static WalletRow[] RequireWallets(IReadOnlyList<WalletRow?> rows, IReadOnlyList<string> ids, string currency, DateTimeOffset now)
    {
        var wallets = new WalletRow[rows.Count];
        for (var i = 0; i < wallets.Length; i++)
        {
            var row = rows[i] ?? throw new LedgerProblemException(new LedgerProblem(ProblemKind.NotFound,
                $"Wallet '{ids[i]}' is not defined; define it with PUT /v1/organisations/{{organisation}}/wallets/{ids[i]} first.",
                [new("wallet", ids[i])]));
            if (row.Currency != currency)
            {
                throw new LedgerProblemException(new LedgerProblem(ProblemKind.CurrencyMismatch,
                    $"Wallet '{row.Id}' is in {row.Currency}, not {currency}.", [new("wallet", row.Id), new("walletCurrency", row.Currency)]));
            }

            wallets[i] = Roll(row, now);
        }

        return wallets;
    }

    /// <summary>Rejects when any wallet cannot cover <paramref name="amount"/> (all or nothing).</summary>
    public static void RequireAvailable(WalletRow[] wallets, decimal amount)
    {
        foreach (var w in wallets)
        {
            var available = Available(w);
            if (available < amount)
            {
                var resets = PeriodEnd(w);
                throw new LedgerProblemException(new LedgerProblem(ProblemKind.BudgetExceeded,
                    $"Wallet '{w.Id}' has {Amounts.Format(available)} {w.Currency} available; {Amounts.Format(amount)} was asked for." +
                    (resets is { } r ? $" Its period resets at {r:O}." : " It never resets: top it up."),
                    [
                        new("wallet", w.Id), new("currency", w.Currency), new("limit", w.Limit), new("topUps", w.TopUps), new("spent", w.Spent),
                        new("reserved", w.Reserved), new("leased", w.Leased), new("available", available), new("requested", amount),
                        new("resetsAt", resets),
                    ]));
            }
        }
    }

    public static TransactionRow Transaction(WalletRow w, string kind, decimal amount, decimal spendChange, DateTimeOffset now, string? reference)
        => new(0, w.Organisation, w.Id, kind, amount, spendChange, w.Currency, now, reference);

    /// <summary>Defines a wallet or updates its definition.</summary>
    public static WalletRow Define(WalletRow? existing, string organisation, string id, string currency, decimal limit, BudgetPeriod period, string timeZone,
        IReadOnlyList<decimal> thresholds, DateTimeOffset now, LedgerChanges changes)
    {
        if (existing is not null && existing.Currency != currency)
        {
            throw new LedgerProblemException(new LedgerProblem(ProblemKind.CurrencyMismatch,
                $"Wallet '{id}' is in {existing.Currency}; a wallet's currency cannot change."));
        }

        var start = PeriodStart(period, timeZone, now);
        var wallet = existing is null
            ? new WalletRow(organisation, id, currency, limit, period, timeZone, thresholds, start, 0m, 0m, 0m, 0m, 1, now)
            : Roll(existing, now) with { Limit = limit, Period = period, TimeZone = timeZone, Thresholds = thresholds, Version = existing.Version + 1 };
        if (existing is not null && (existing.Period != period || existing.TimeZone != timeZone) && wallet.PeriodStart != start)
        {
            wallet = wallet with { PeriodStart = start, Spent = 0m, TopUps = 0m };
        }

        changes.Put(wallet);
        changes.Add(Transaction(wallet, TransactionKinds.Defined, limit, 0m, now, period.ToString().ToLowerInvariant()));
        return wallet;
    }

    public static WalletRow TopUp(WalletRow wallet, decimal amount, DateTimeOffset now, string? reason, LedgerChanges changes)
    {
        var w = Roll(wallet, now);
        w = w with { TopUps = w.TopUps + amount, Version = w.Version + 1 };
        changes.Put(w);
        changes.Add(Transaction(w, TransactionKinds.TopUp, amount, 0m, now, reason));
        return w;
    }

    public static WalletRow Refund(WalletRow wallet, decimal amount, DateTimeOffset now, string? reason, LedgerChanges changes)
    {
        var w = Roll(wallet, now);
        if (amount > w.Spent)
        {
            throw new LedgerProblemException(new LedgerProblem(ProblemKind.Conflict,
                $"Wallet '{w.Id}' has spent {Amounts.Format(w.Spent)} {w.Currency} this period; a refund of {Amounts.Format(amount)} would make spend negative.",
                [new("wallet", w.Id), new("spent", w.Spent)]));
        }

        w = w with { Spent = w.Spent - amount, Version = w.Version + 1 };
        changes.Put(w);
        changes.Add(Transaction(w, TransactionKinds.Refund, amount, -amount, now, reason));
        return w;
    }
}
