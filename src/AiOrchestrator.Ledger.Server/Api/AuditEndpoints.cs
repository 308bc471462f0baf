using AiOrchestrator.Ledger.Server.Auth;
using AiOrchestrator.Ledger.Server.Domain;
using AiOrchestrator.Ledger.Server.Http;
using AiOrchestrator.Ledger.Server.Problems;
using AiOrchestrator.Ledger.Server.Storage;
using AiOrchestrator.Ledger.Server.Storage.Rows;

namespace AiOrchestrator.Ledger.Server.Api;

/// <summary>Audit chains and checkpoints.</summary>
internal static class AuditEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPost(LedgerRoutes.AuditEntries, PostEntries).Body<AuditEntriesRequest>().Produces<AuditChainResponse>(200)
            .Ledger("postAuditEntries", "Upload audit entries that extend a source's hash chain", "Audit", LedgerAccess.Organisation, mutation: true);
        app.MapPost(LedgerRoutes.AuditCheckpoints, PostCheckpoint).Body<CheckpointRequest>().Produces<CheckpointResponse>(201)
            .Ledger("postAuditCheckpoint", "Anchor a signed checkpoint of a source's audit log", "Audit", LedgerAccess.Organisation, mutation: true);
        app.MapGet(LedgerRoutes.AuditCheckpoints, ListCheckpoints).Produces<IReadOnlyList<CheckpointResponse>>(200)
            .Ledger("listAuditCheckpoints", "List anchored checkpoints", "Audit", LedgerAccess.Organisation, mutation: false);
    }

    private static async Task<IResult> PostEntries(HttpContext context, string organisation, LedgerMutations mutations)
    {
        var (request, raw) = await JsonBody.ReadAsync(context, LedgerJsonContext.Default.AuditEntriesRequest);
        var source = Ids.Required(request.Source, "source", 200);
        if (request.Entries is null || request.Entries.Count is 0 or > UsageEndpoints.MaxRecords)
        {
            throw LedgerProblem.Invalid($"'entries' must hold 1 to {UsageEndpoints.MaxRecords} entries.");
        }

        var entries = new (long Index, byte[] Canonical, string Hash)[request.Entries.Count];
        for (var i = 0; i < entries.Length; i++)
        {
            var e = request.Entries[i] ?? throw LedgerProblem.Invalid($"entries[{i}] is null.");
            if (e.Index < 0)
            {
                throw LedgerProblem.Invalid($"entries[{i}].index cannot be negative.");
            }

            byte[] canonical;
            try
            {
                canonical = Convert.FromBase64String(e.Canonical ?? throw LedgerProblem.Invalid($"entries[{i}].canonical is required."));
            }
            catch (FormatException)
            {
                throw LedgerProblem.Invalid($"entries[{i}].canonical is not base64.");
            }

            if (e.Hash is not { Length: 64 } || !e.Hash.All(char.IsAsciiHexDigitLower))
            {
                throw LedgerProblem.Invalid($"entries[{i}].hash must be 64 lowercase hex digits.");
            }

            entries[i] = (e.Index, canonical, e.Hash);
        }

        await RequireOrganisationAsync(context, organisation);
        return await mutations.RunAsync(context, raw, async (unit, changes, now, ct) =>
        {
            var head = await unit.LockAuditSourceAsync(organisation, source, ct);
            var size = head?.Size ?? 0;
            IReadOnlyList<string> overlap = [];
            if (entries[0].Index < size)
            {
                var all = await unit.ReadAuditHashesAsync(organisation, source, Math.Min(size, entries[0].Index + entries.Length), ct);
                overlap = all.Skip((int)entries[0].Index).ToArray();
            }

            var updated = LedgerEngine.ExtendChain(organisation, source, head, entries, overlap, now, changes);
            return Outcome.Of(200, new AuditChainResponse(source, updated.Size, updated.Head), LedgerJsonContext.Default.AuditChainResponse);
        });
    }

    private static async Task<IResult> PostCheckpoint(HttpContext context, string organisation, LedgerMutations mutations)
    {
        var (request, raw) = await JsonBody.ReadAsync(context, LedgerJsonContext.Default.CheckpointRequest);
        var source = Ids.Required(request.Source, "source", 200);
        if (request.Size < 0)
        {
            throw LedgerProblem.Invalid("'size' cannot be negative.");
        }

        if (request.RootHash is not { Length: 64 } || !request.RootHash.All(char.IsAsciiHexDigitLower))
        {
            throw LedgerProblem.Invalid("'rootHash' must be 64 lowercase hex digits.");
        }

        var signature = Ids.Required(request.Signature, "signature", 1000);
        try
        {
            Convert.FromBase64String(signature);
        }
        catch (FormatException)
        {
            throw LedgerProblem.Invalid("'signature' is not base64.");
        }

        var keyId = Ids.Text(request.KeyId, "keyId", 200, required: false);
        await RequireOrganisationAsync(context, organisation);
        return await mutations.RunAsync(context, raw, async (unit, changes, now, ct) =>
        {
            var head = await unit.LockAuditSourceAsync(organisation, source, ct);
            var hashes = request.Size <= (head?.Size ?? 0) ? await unit.ReadAuditHashesAsync(organisation, source, request.Size, ct) : [];
            LedgerEngine.CheckCheckpoint(head, request.Size, request.RootHash, hashes);
            var row = new CheckpointRow(organisation, source, request.Size, request.RootHash, request.At.ToUniversalTime(), signature, keyId, now);
            changes.Add(row);
            return Outcome.Of(201, Responses.ToResponse(row), LedgerJsonContext.Default.CheckpointResponse);
        });
    }

    private static async Task<IResult> ListCheckpoints(HttpContext context, string organisation, ILedgerStore store, CancellationToken cancellationToken)
    {
        var source = Ids.Text(context.Request.Query["source"].ToString(), "source", 200, required: false);
        await WalletEndpoints.RequireOrganisationAsync(store, organisation, cancellationToken);
        var rows = await store.ListCheckpointsAsync(organisation, source, cancellationToken);
        return Results.Json<IReadOnlyList<CheckpointResponse>>(rows.Select(Responses.ToResponse).ToList(), LedgerJsonContext.Default.IReadOnlyListCheckpointResponse);
    }

    private static Task RequireOrganisationAsync(HttpContext context, string organisation)
        => WalletEndpoints.RequireOrganisationAsync(context.RequestServices.GetRequiredService<ILedgerStore>(), organisation, context.RequestAborted);
}
