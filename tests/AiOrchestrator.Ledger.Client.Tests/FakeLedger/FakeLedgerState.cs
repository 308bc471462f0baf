using System.Globalization;

namespace AiOrchestrator.Ledger.Client.Tests.FakeLedger;

/// <summary>
/// The state of the FAKE ledger (a test double for fault injection, not the real server): wallets with a limit,
/// leases that hold on them, usage batches per source with the sequence protocol, idempotency keys. It outlives the
/// Kestrel host that serves it, so the fake ledger can be stopped and started again with its state.
/// </summary>
internal sealed class FakeLedgerState
{
    public const string ApiKey = "fake-client-key";

    public Lock Gate { get; } = new();

    public Dictionary<string, FakeWallet> Wallets { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, FakeLease> Leases { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, long> Sequences { get; } = new(StringComparer.Ordinal);

    public HashSet<string> RecordIds { get; } = new(StringComparer.Ordinal);

    public List<UsageRecordRequest> Records { get; } = [];

    public Dictionary<string, (string Body, int Status, string Response)> Idempotency { get; } = new(StringComparer.Ordinal);

    public int LeaseTakes { get; set; }

    public int LeaseRenewals { get; set; }

    public int LeaseReturns { get; set; }

    public int UsageBatches { get; set; }

    /// <summary>Answer every request with 503 (the ledger's store is down).</summary>
    public bool Unavailable { get; set; }

    /// <summary>Apply this many usage batches, then answer 503 as if the reply were lost.</summary>
    public int LoseUsageReplies { get; set; }

    public FakeWallet AddWallet(string id, decimal limit, string currency = "USD")
    {
        lock (Gate)
        {
            var wallet = new FakeWallet(id, limit, currency);
            Wallets[id] = wallet;
            return wallet;
        }
    }

    public decimal Leased(string wallet, DateTimeOffset now)
    {
        var total = 0m;
        foreach (var lease in Leases.Values)
        {
            if (lease.IsActive(now) && lease.Wallets.Contains(wallet))
            {
                total += Math.Max(0m, lease.Amount - lease.Used);
            }
        }

        return total;
    }

    public decimal Available(FakeWallet wallet, DateTimeOffset now) => Math.Max(0m, wallet.Limit - wallet.Spent - Leased(wallet.Id, now));

    public decimal RecordedSpend()
    {
        lock (Gate)
        {
            var total = 0m;
            foreach (var record in Records)
            {
                total += decimal.Parse(record.Amount, CultureInfo.InvariantCulture);
            }

            return total;
        }
    }

    public decimal Spent(string wallet)
    {
        lock (Gate)
        {
            return Wallets[wallet].Spent;
        }
    }
}

internal sealed class FakeWallet(string id, decimal limit, string currency)
{
    public string Id { get; } = id;

    public decimal Limit { get; set; } = limit;

    public string Currency { get; } = currency;

    public decimal Spent { get; set; }
}

internal sealed class FakeLease(string id, string[] wallets, decimal amount, string currency, string holder, DateTimeOffset createdAt, DateTimeOffset expiresAt)
{
    public string Id { get; } = id;

    public string[] Wallets { get; } = wallets;

    public decimal Amount { get; set; } = amount;

    public decimal Used { get; set; }

    public string Currency { get; } = currency;

    public string Holder { get; } = holder;

    public bool Returned { get; set; }

    public DateTimeOffset CreatedAt { get; } = createdAt;

    public DateTimeOffset ExpiresAt { get; set; } = expiresAt;

    public bool IsActive(DateTimeOffset now) => !Returned && now < ExpiresAt;

    public string Status(DateTimeOffset now) => Returned ? "returned" : now >= ExpiresAt ? "expired" : "active";
}
