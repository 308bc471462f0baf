using AiOrchestrator.Ledger.Server.Auth;
using AiOrchestrator.Ledger.Server.Http;
using AiOrchestrator.Ledger.Server.Problems;
using AiOrchestrator.Ledger.Server.Storage;
using AiOrchestrator.Ledger.Server.Storage.Rows;

namespace AiOrchestrator.Ledger.Server.Api;

/// <summary>Organisations and API keys.</summary>
internal static class AdminEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPut(LedgerRoutes.Organisation, PutOrganisation).Body<OrganisationRequest>().Produces<OrganisationResponse>(200)
            .Ledger("putOrganisation", "Create or rename an organisation", "Organisations", LedgerAccess.Admin, mutation: true);
        app.MapGet(LedgerRoutes.Organisation, GetOrganisation).Produces<OrganisationResponse>(200)
            .Ledger("getOrganisation", "Read an organisation", "Organisations", LedgerAccess.Organisation, mutation: false);
        app.MapPost(LedgerRoutes.Keys, CreateKey).Body<ApiKeyRequest>().Produces<ApiKeyResponse>(201)
            .Ledger("createApiKey", "Issue an API key (its secret is shown once)", "Keys", LedgerAccess.Admin, mutation: true);
        app.MapGet(LedgerRoutes.Keys, ListKeys).Produces<IReadOnlyList<ApiKeyResponse>>(200)
            .Ledger("listApiKeys", "List API keys (never their secrets)", "Keys", LedgerAccess.Admin, mutation: false);
        app.MapDelete(LedgerRoutes.Key, RevokeKey).Produces<ApiKeyResponse>(200)
            .Ledger("revokeApiKey", "Revoke an API key", "Keys", LedgerAccess.Admin, mutation: false);
    }

    private static async Task<IResult> PutOrganisation(HttpContext context, string organisation, LedgerMutations mutations)
    {
        Ids.Organisation(organisation);
        var (request, raw) = await JsonBody.ReadAsync(context, LedgerJsonContext.Default.OrganisationRequest);
        var name = Ids.Text(request.Name, "name", 200, required: false);
        return await mutations.RunAsync(context, raw, async (unit, changes, now, ct) =>
        {
            var existing = await unit.LockOrganisationAsync(organisation, ct);
            var row = existing is null ? new OrganisationRow(organisation, name, now) : existing with { Name = name };
            changes.Put(row);
            return Outcome.Of(200, new OrganisationResponse(row.Id, row.Name, row.CreatedAt), LedgerJsonContext.Default.OrganisationResponse);
        });
    }

    private static async Task<IResult> GetOrganisation(string organisation, ILedgerStore store, CancellationToken cancellationToken)
    {
        var row = await store.GetOrganisationAsync(organisation, cancellationToken)
            ?? throw LedgerProblem.NotFound($"Organisation '{Amounts.Clip(organisation)}' was not found.");
        return Results.Json(new OrganisationResponse(row.Id, row.Name, row.CreatedAt), LedgerJsonContext.Default.OrganisationResponse);
    }

    private static async Task<IResult> CreateKey(HttpContext context, LedgerMutations mutations)
    {
        var (request, raw) = await JsonBody.ReadAsync(context, LedgerJsonContext.Default.ApiKeyRequest);
        var role = request.Role switch
        {
            "admin" => ApiKeyRole.Admin,
            "client" => ApiKeyRole.Client,
            _ => throw LedgerProblem.Invalid("'role' must be \"admin\" or \"client\"."),
        };
        var name = Ids.Text(request.Name, "name", 200, required: false);
        string? organisation = null;
        string[] wallets = [];
        if (role == ApiKeyRole.Client)
        {
            organisation = Ids.Organisation(request.Organisation);
            wallets = Ids.Wallets(request.Wallets, organisation);
        }
        else if (request.Organisation is not null || request.Wallets is { Count: > 0 })
        {
            throw LedgerProblem.Invalid("An admin key covers every organisation: leave 'organisation' and 'wallets' out.");
        }

        // The secret is made here, once; a replay of this request returns the stored response, secret included.
        var secret = ApiKeySecrets.NewSecret();
        var id = ApiKeySecrets.NewKeyId();
        return await mutations.RunAsync(context, raw, async (unit, changes, now, ct) =>
        {
            if (organisation is not null && await unit.LockOrganisationAsync(organisation, ct) is null)
            {
                throw LedgerProblem.NotFound($"Organisation '{organisation}' was not found; create it with PUT /v1/organisations/{organisation} first.");
            }

            var row = new ApiKeyRow(id, ApiKeySecrets.Hash(secret), role, organisation, wallets, name, now, null);
            changes.Put(row);
            return Outcome.Of(201, Responses.ToResponse(row, secret), LedgerJsonContext.Default.ApiKeyResponse);
        });
    }

    private static async Task<IResult> ListKeys(ILedgerStore store, CancellationToken cancellationToken)
    {
        var keys = await store.ListApiKeysAsync(cancellationToken);
        return Results.Json<IReadOnlyList<ApiKeyResponse>>(keys.Select(k => Responses.ToResponse(k, null)).ToList(), LedgerJsonContext.Default.IReadOnlyListApiKeyResponse);
    }

    private static async Task<IResult> RevokeKey(string keyId, ILedgerStore store, TimeProvider time, ApiKeyCache cache, CancellationToken cancellationToken)
    {
        var row = await store.ExecuteAsync(async (unit, ct) =>
        {
            var key = await unit.LockApiKeyAsync(keyId, ct) ?? throw LedgerProblem.NotFound($"API key '{Amounts.Clip(keyId)}' was not found.");
            if (key.RevokedAt is null)
            {
                key = key with { RevokedAt = time.GetUtcNow() };
                var changes = new LedgerChanges();
                changes.Put(key);
                await unit.WriteAsync(changes, ct);
            }

            return key;
        }, cancellationToken);
        cache.Clear();
        return Results.Json(Responses.ToResponse(row, null), LedgerJsonContext.Default.ApiKeyResponse);
    }
}
