using System.ComponentModel.DataAnnotations;
using AiOrchestrator.Ledger.Server.Storage;
using Microsoft.Extensions.Options;

namespace AiOrchestrator.Ledger.Server;

/// <summary>The <c>Ledger</c> configuration section, bound strictly (an unknown key fails start) and validated at start.</summary>
internal sealed class LedgerOptions
{
    public const string Section = "Ledger";

    /// <summary>An admin API key accepted besides the stored ones (for tests and first start); at least 32 characters.</summary>
    public string? AdminKey { get; set; }

    /// <summary>The largest request body in bytes (default 4 MiB: a batch of 5,000 usage records is about 1.5 to 2.5 MB).</summary>
    [Range(1024, 64L * 1024 * 1024)]
    public long MaxRequestBodyBytes { get; set; } = 4L * 1024 * 1024;

    /// <summary>How long a reservation holds when the request names no TTL.</summary>
    [Range(1, 86_400)]
    public int DefaultReservationTtlSeconds { get; set; } = 300;

    /// <summary>How long an idempotency key's first response is kept.</summary>
    [Range(1, 720)]
    public int IdempotencyRetentionHours { get; set; } = 24;

    /// <summary>How often expired reservations and leases are swept.</summary>
    [Range(0.05, 3600)]
    public double SweepIntervalSeconds { get; set; } = 1;

    /// <summary>Per-key rate limits.</summary>
    public LedgerRateLimitOptions RateLimit { get; set; } = new();

    /// <summary>The store.</summary>
    public LedgerStorageOptions Storage { get; set; } = new();
}

/// <summary>The <c>Ledger:RateLimit</c> section: a token bucket per API key.</summary>
internal sealed class LedgerRateLimitOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>Requests per second each key gets back.</summary>
    [Range(1, 1_000_000)]
    public int PermitsPerSecond { get; set; } = 20_000;

    /// <summary>The bucket's size: the burst a key may send at once.</summary>
    [Range(1, 1_000_000)]
    public int Burst { get; set; } = 20_000;
}

/// <summary>Checks the options as a whole, naming the key and the fix.</summary>
internal sealed class LedgerOptionsValidator : IValidateOptions<LedgerOptions>
{
    public ValidateOptionsResult Validate(string? name, LedgerOptions options)
    {
        var failures = new List<string>();
        Check(options, "Ledger", failures);
        Check(options.RateLimit, "Ledger:RateLimit", failures);
        Check(options.Storage, "Ledger:Storage", failures);
        if (options.AdminKey is { Length: < 32 })
        {
            failures.Add("Ledger:AdminKey must be at least 32 characters (use the output of 'bootstrap-admin', or 32 random bytes in base64url).");
        }

        if (options.Storage.Provider == LedgerStorage.Postgres && string.IsNullOrWhiteSpace(options.Storage.PostgresConnectionString))
        {
            failures.Add("Ledger:Storage:PostgresConnectionString is required when Ledger:Storage:Provider is 'postgres'.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Check(object instance, string section, List<string> failures)
    {
        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(instance, new ValidationContext(instance), results, validateAllProperties: true))
        {
            failures.AddRange(results.Select(r => $"{section}:{string.Join(",", r.MemberNames)}: {r.ErrorMessage}"));
        }
    }
}
