using Microsoft.Extensions.Options;

namespace AiOrchestrator.Ledger.Client;

/// <summary>Validates <see cref="LedgerClientOptions"/> at start; every message names the configuration key and the fix.</summary>
internal sealed class LedgerClientOptionsValidator : IValidateOptions<LedgerClientOptions>
{
    public ValidateOptionsResult Validate(string? name, LedgerClientOptions options)
    {
        const string S = LedgerClientOptions.SectionName;
        var failures = new List<string>();
        if (options.Url is not { IsAbsoluteUri: true } url || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            failures.Add($"{S}:Url must be the ledger's absolute http or https address (for example \"https://ledger.internal:8080/\"); got '{options.Url}'.");
        }

        if (string.IsNullOrWhiteSpace(options.ApiKey))
        {
            failures.Add($"{S}:ApiKey is required: a client key of the organisation, issued by the ledger's admin (POST /v1/keys).");
        }

        if (string.IsNullOrWhiteSpace(options.Organisation) || !Budgets.WalletId.TryParse("org:" + options.Organisation, out _))
        {
            failures.Add($"{S}:Organisation is required: the organisation id its wallets are named with (\"acme\" for org:acme); got '{options.Organisation}'.");
        }

        if (options.Holder is { Length: 0 or > 200 })
        {
            failures.Add($"{S}:Holder must be 1 to 200 characters when set.");
        }

        if (options.Source is { } source && (source.Length is 0 or > 200 || string.IsNullOrWhiteSpace(source)))
        {
            failures.Add($"{S}:Source must be 1 to 200 characters when set (it names this process's usage outbox; leave it unset to generate one).");
        }

        Positive(failures, options.LeaseHorizon, "LeaseHorizon", "00:00:30");
        Positive(failures, options.MinLeaseTtl, "MinLeaseTtl", "00:00:30");
        Positive(failures, options.SyncInterval, "SyncInterval", "00:00:00.200");
        Positive(failures, options.UploadInterval, "UploadInterval", "00:00:01");
        Positive(failures, options.WalletRefreshInterval, "WalletRefreshInterval", "00:00:30");
        Positive(failures, options.RequestTimeout, "RequestTimeout", "00:00:02");
        Positive(failures, options.RetryUnreachableAfter, "RetryUnreachableAfter", "00:00:02");
        Positive(failures, options.ReservationTimeout, "ReservationTimeout", "00:10:00");
        Positive(failures, options.IdempotencyRetention, "IdempotencyRetention", "00:02:00");
        Positive(failures, options.IdleLeaseReturn, "IdleLeaseReturn", "00:02:00");
        Positive(failures, options.ShutdownTimeout, "ShutdownTimeout", "00:00:05");
        if (options.MaxLeaseTtl < options.MinLeaseTtl || options.MaxLeaseTtl > TimeSpan.FromDays(1))
        {
            failures.Add($"{S}:MaxLeaseTtl ({options.MaxLeaseTtl}) must be at least {S}:MinLeaseTtl ({options.MinLeaseTtl}) and at most one day (the ledger's limit).");
        }

        if (options.ExpiryMargin < TimeSpan.Zero || options.ExpiryMargin >= options.MinLeaseTtl)
        {
            failures.Add($"{S}:ExpiryMargin ({options.ExpiryMargin}) must be zero or more and below {S}:MinLeaseTtl ({options.MinLeaseTtl}).");
        }

        if (options.RenewBeforeExpiry < TimeSpan.Zero)
        {
            failures.Add($"{S}:RenewBeforeExpiry must not be negative (for example \"00:00:15\").");
        }

        if (options.MinLeaseAmount <= 0m || options.MaxLeaseAmount < options.MinLeaseAmount)
        {
            failures.Add($"{S}:MinLeaseAmount ({options.MinLeaseAmount}) must be positive and at most {S}:MaxLeaseAmount ({options.MaxLeaseAmount}).");
        }

        if (options.RenewBelowFraction is <= 0m or > 1m)
        {
            failures.Add($"{S}:RenewBelowFraction ({options.RenewBelowFraction}) must be in (0, 1]; 0.5 renews a lease when half of it is spent.");
        }

        if (options.UploadBatchSize is < 1 or > 5000)
        {
            failures.Add($"{S}:UploadBatchSize ({options.UploadBatchSize}) must be 1 to 5000 (the ledger's batch limit).");
        }

        if (options.OutboxCapacity < options.UploadBatchSize)
        {
            failures.Add($"{S}:OutboxCapacity ({options.OutboxCapacity}) must be at least {S}:UploadBatchSize ({options.UploadBatchSize}).");
        }

        if (!Enum.IsDefined(options.Fallback))
        {
            failures.Add($"{S}:Fallback must be Deny or Allowance.");
        }

        if (options.FallbackAllowance < 0m || (options.Fallback == LedgerFallback.Allowance && options.FallbackAllowance == 0m))
        {
            failures.Add($"{S}:FallbackAllowance ({options.FallbackAllowance}) must be positive with Fallback = Allowance (and never negative); or set Fallback to Deny.");
        }

        if (string.IsNullOrWhiteSpace(options.FallbackCurrency) || options.FallbackCurrency.Length != 3)
        {
            failures.Add($"{S}:FallbackCurrency must be an ISO 4217 code such as \"USD\"; got '{options.FallbackCurrency}'.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Positive(List<string> failures, TimeSpan value, string key, string example)
    {
        if (value <= TimeSpan.Zero)
        {
            failures.Add($"{LedgerClientOptions.SectionName}:{key} must be positive (for example \"{example}\"); got {value}.");
        }
    }
}
