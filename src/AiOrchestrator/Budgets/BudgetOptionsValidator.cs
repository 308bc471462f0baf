using System.Globalization;
using Microsoft.Extensions.Options;

namespace AiOrchestrator.Budgets;

/// <summary>Validates <see cref="BudgetOptions"/>; every message names the configuration key and how to fix it.</summary>
public sealed class BudgetOptionsValidator : IValidateOptions<BudgetOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, BudgetOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string S = BudgetOptions.SectionName;
        var failures = new List<string>();
        if (options.DefaultMaxOutputTokens < 1)
        {
            failures.Add($"{S}:DefaultMaxOutputTokens is {options.DefaultMaxOutputTokens}; it must be at least 1 (4096 by default): it is the output cap reserved for, and sent with, calls that set none.");
        }

        if (options.ReservationTimeout <= TimeSpan.Zero)
        {
            failures.Add($"{S}:ReservationTimeout must be positive (for example \"00:10:00\").");
        }

        if (options.ExpirySweepInterval <= TimeSpan.Zero)
        {
            failures.Add($"{S}:ExpirySweepInterval must be positive (for example \"00:00:30\").");
        }

        if (options.IdempotencyRetention < options.ReservationTimeout)
        {
            failures.Add($"{S}:IdempotencyRetention ({options.IdempotencyRetention}) must be at least {S}:ReservationTimeout ({options.ReservationTimeout}).");
        }

        if (options.SnapshotAfterBytes <= 0)
        {
            failures.Add($"{S}:SnapshotAfterBytes must be positive (for example 16777216 for 16 MiB).");
        }

        if (!BudgetCalendar.TryFindZone(options.TimeZone, out _))
        {
            failures.Add($"{S}:TimeZone '{options.TimeZone}' is not a known time zone; use an IANA id such as \"Europe/Berlin\" or \"UTC\".");
        }

        if (options.StorePath is { } path && string.IsNullOrWhiteSpace(path))
        {
            failures.Add($"{S}:StorePath is blank. Set a file path for the journal, leave it unset for a journal beside the usage store, or set ':memory:' to keep the ledger in memory.");
        }

        var seen = new HashSet<WalletId>();
        for (var i = 0; i < options.Wallets.Count; i++)
        {
            var wallet = options.Wallets[i];
            var key = string.Create(CultureInfo.InvariantCulture, $"{S}:Wallets:{i}");
            if (wallet is null)
            {
                failures.Add($"{key} is empty.");
                continue;
            }

            if (!WalletId.TryParse(wallet.Id, out var id))
            {
                failures.Add($"{key}:Id '{wallet.Id}' is not a wallet id; use 'org:<org>', 'team:<org>/<team>', 'user:<org>/<team>/<user>' or 'app:<org>/<app>'.");
            }
            else if (!seen.Add(id))
            {
                failures.Add($"{key}:Id '{wallet.Id}' is configured twice; keep one entry per wallet.");
            }

            if (wallet.Limit < 0m)
            {
                failures.Add(string.Create(CultureInfo.InvariantCulture, $"{key}:Limit must be zero or more (got {wallet.Limit}); use top-ups for prepaid wallets."));
            }

            if (wallet.Currency is not { Length: 3 } currency || !char.IsAsciiLetterUpper(currency[0]) || !char.IsAsciiLetterUpper(currency[1]) || !char.IsAsciiLetterUpper(currency[2]))
            {
                failures.Add($"{key}:Currency '{wallet.Currency}' is not a three-letter upper-case ISO 4217 code such as \"USD\".");
            }

            if (!Enum.IsDefined(wallet.Period))
            {
                failures.Add(string.Create(CultureInfo.InvariantCulture, $"{key}:Period of wallet '{wallet.Id}' is {(int)wallet.Period}, which is not a period. Use one of: {string.Join(", ", Enum.GetNames<BudgetPeriod>())}."));
            }

            if (wallet.SoftThresholds is { } thresholds)
            {
                if (thresholds.Count > 64)
                {
                    failures.Add($"{key}:SoftThresholds has more than 64 entries.");
                }

                for (var t = 0; t < thresholds.Count; t++)
                {
                    if (thresholds[t] <= 0m || thresholds[t] > 10m)
                    {
                        failures.Add(string.Create(CultureInfo.InvariantCulture, $"{key}:SoftThresholds:{t} must be a fraction above 0 and at most 10 (0.8 = 80 %); got {thresholds[t]}."));
                    }
                }
            }

            if (wallet.TimeZone is { } zone && !BudgetCalendar.TryFindZone(zone, out _))
            {
                failures.Add($"{key}:TimeZone '{zone}' is not a known time zone; use an IANA id such as \"Europe/Berlin\".");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
