using AiOrchestrator.Ledger.Server.Auth;
using AiOrchestrator.Ledger.Server.Domain;
using AiOrchestrator.Ledger.Server.Http;
using AiOrchestrator.Ledger.Server.Problems;
using AiOrchestrator.Ledger.Server.Storage;
using AiOrchestrator.Ledger.Server.Storage.Rows;
using AiOrchestrator.Ledger.Server.Telemetry;

namespace AiOrchestrator.Ledger.Server.Api;

/// <summary>Usage batches, in order per source.</summary>
internal static class UsageEndpoints
{
    public const int MaxRecords = 5_000;

    public static void Map(IEndpointRouteBuilder app)
        => app.MapPost(LedgerRoutes.Usage, PostUsage).Body<UsageBatchRequest>().Produces<UsageBatchResponse>(200)
            .Ledger("postUsage", "Upload a batch of usage records (in order per source; a replay changes nothing, a gap is 409)", "Usage", LedgerAccess.Organisation, mutation: true);

    private static async Task<IResult> PostUsage(HttpContext context, string organisation, LedgerMutations mutations, LedgerTelemetry telemetry)
    {
        var (request, raw) = await JsonBody.ReadAsync(context, LedgerJsonContext.Default.UsageBatchRequest);
        var source = Ids.Required(request.Source, "source", 200);
        if (request.Sequence < 1)
        {
            throw LedgerProblem.Invalid("'sequence' starts at 1 for a source's first batch.");
        }

        if (request.Records is null || request.Records.Count is 0 or > MaxRecords)
        {
            throw LedgerProblem.Invalid($"'records' must hold 1 to {MaxRecords} records.");
        }

        var caller = LedgerCaller.Of(context);
        var drafts = new UsageDraft[request.Records.Count];
        for (var i = 0; i < drafts.Length; i++)
        {
            var r = request.Records[i] ?? throw LedgerProblem.Invalid($"records[{i}] is null.");
            var wallets = Ids.Wallets(r.Wallets, organisation, $"records[{i}].wallets");
            caller.RequireWallets(wallets);
            if (r.InputTokens < 0 || r.OutputTokens < 0)
            {
                throw LedgerProblem.Invalid($"records[{i}]: token counts cannot be negative.");
            }

            drafts[i] = new UsageDraft(Ids.Required(r.Id, $"records[{i}].id", 200), wallets, Amounts.Parse(r.Amount, $"records[{i}].amount", allowZero: true),
                Ids.Currency(r.Currency, $"records[{i}].currency"), r.At.ToUniversalTime(), Ids.Text(r.Lease, $"records[{i}].lease", 200, required: false),
                Ids.Text(r.Scope, $"records[{i}].scope", 500, required: false), Ids.Text(r.Provider, $"records[{i}].provider", 200, required: false),
                Ids.Text(r.Model, $"records[{i}].model", 200, required: false), r.InputTokens, r.OutputTokens);
        }

        return await mutations.RunAsync(context, raw, async (unit, changes, now, ct) =>
        {
            var sourceRow = await unit.LockUsageSourceAsync(organisation, source, ct);
            if (LedgerEngine.IsReplay(sourceRow, request.Sequence, out _))
            {
                return Outcome.Of(200, new UsageBatchResponse(source, request.Sequence, 0, drafts.Length, Replayed: true), LedgerJsonContext.Default.UsageBatchResponse);
            }

            var known = await unit.FindUsageRecordIdsAsync(organisation, drafts.Select(d => d.Id).Distinct().ToArray(), ct);
            var fresh = new List<UsageDraft>(drafts.Length);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var d in drafts)
            {
                if (!known.Contains(d.Id) && seen.Add(d.Id))
                {
                    fresh.Add(d);
                }
            }

            var leaseIds = fresh.Where(d => d.Lease is not null).Select(d => d.Lease!).Distinct().Order(StringComparer.Ordinal).ToArray();
            var leases = new Dictionary<string, LeaseRow>(StringComparer.Ordinal);
            var leaseRows = leaseIds.Length == 0 ? [] : await unit.LockLeasesAsync(organisation, leaseIds, ct);
            foreach (var lease in leaseRows)
            {
                if (lease is not null)
                {
                    caller.RequireWallets(lease.Wallets);
                    leases[lease.Id] = lease;
                }
            }

            var walletIds = fresh.SelectMany(d => d.Wallets).Concat(leases.Values.SelectMany(l => l.Wallets)).Distinct().ToArray();
            var walletRows = walletIds.Length == 0 ? [] : await unit.LockWalletsAsync(organisation, walletIds, ct);
            var wallets = new Dictionary<string, WalletRow>(StringComparer.Ordinal);
            for (var i = 0; i < walletIds.Length; i++)
            {
                if (walletRows[i] is { } w)
                {
                    wallets[w.Id] = LedgerEngine.Roll(w, now);
                }
            }

            foreach (var d in fresh)
            {
                LedgerEngine.RequireWallets(d.Wallets.Select(id => wallets.GetValueOrDefault(id)).ToArray(), d.Wallets, d.Currency, now);
            }

            // A lease that timed out before its usage arrived is expired first; its records then post directly.
            foreach (var lease in leases.Values.ToArray())
            {
                if (LedgerEngine.IsDue(lease.Status, lease.ExpiresAt, now))
                {
                    var expiring = new LedgerChanges();
                    var closed = LedgerEngine.CloseLease(lease, lease.Wallets.Where(wallets.ContainsKey).Select(id => wallets[id]).ToArray(), HoldState.Expired, now, expiring);
                    foreach (var w in expiring.Wallets ?? [])
                    {
                        wallets[w.Id] = w;
                    }

                    foreach (var t in expiring.Transactions ?? [])
                    {
                        changes.Add(t);
                    }

                    leases[lease.Id] = closed;
                    changes.Put(closed);
                }
            }

            foreach (var d in fresh)
            {
                LedgerEngine.PostUsage(organisation, source, request.Sequence, d, wallets, leases, now, changes);
            }

            foreach (var w in wallets.Values)
            {
                changes.Put(w);
            }

            changes.Put(new UsageSourceRow(organisation, source, request.Sequence, now));
            telemetry.UsageRecords.Add(fresh.Count, new KeyValuePair<string, object?>("outcome", "accepted"));
            telemetry.UsageRecords.Add(drafts.Length - fresh.Count, new KeyValuePair<string, object?>("outcome", "duplicate"));
            return Outcome.Of(200, new UsageBatchResponse(source, request.Sequence, fresh.Count, drafts.Length - fresh.Count, Replayed: false),
                LedgerJsonContext.Default.UsageBatchResponse);
        });
    }
}
