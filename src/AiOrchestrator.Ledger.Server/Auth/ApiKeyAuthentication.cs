using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using AiOrchestrator.Ledger.Server.Problems;
using AiOrchestrator.Ledger.Server.Storage;
using AiOrchestrator.Ledger.Server.Storage.Rows;
using Microsoft.Extensions.Options;

namespace AiOrchestrator.Ledger.Server.Auth;

/// <summary>
/// Authenticates <c>Authorization: Bearer &lt;secret&gt;</c> and applies the endpoint's <see cref="LedgerAccess"/>:
/// 401 without a valid key, 403 for a client key on an admin endpoint, 404 for a client key on another organisation
/// (the ledger does not reveal that it exists). Keys are looked up by hash, cached for a second.
/// </summary>
internal sealed class ApiKeyAuthentication(RequestDelegate next, ILedgerStore store, IOptions<LedgerOptions> options, TimeProvider time, ApiKeyCache keyCache)
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(1);
    private readonly ConcurrentDictionary<string, (LedgerCaller? Caller, DateTimeOffset Until)> _cache = keyCache.Entries;
    private readonly byte[]? _configuredAdmin = options.Value.AdminKey is { } key ? SHA256.HashData(Encoding.UTF8.GetBytes(key)) : null;

    public async Task InvokeAsync(HttpContext context)
    {
        var access = context.GetEndpoint()?.Metadata.GetMetadata<LedgerAccessMetadata>()?.Access;
        if (access is null or LedgerAccess.Anonymous)
        {
            await next(context);
            return;
        }

        var caller = await AuthenticateAsync(context);
        if (caller is null)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            throw new LedgerProblemException(new LedgerProblem(ProblemKind.Unauthenticated,
                "Send a valid, unrevoked API key as 'Authorization: Bearer <key>'."));
        }

        if (access == LedgerAccess.Admin)
        {
            caller.RequireAdmin();
        }
        else if (!caller.IsAdmin && context.Request.RouteValues.TryGetValue("organisation", out var org) && !string.Equals(org as string, caller.Organisation, StringComparison.Ordinal))
        {
            throw LedgerProblem.NotFound($"Organisation '{Amounts.Clip(org as string ?? "")}' was not found.");
        }

        caller.AttachTo(context);
        await next(context);
    }

    private async ValueTask<LedgerCaller?> AuthenticateAsync(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header.Length > 512)
        {
            return null;
        }

        var secret = header[7..].Trim();
        if (secret.Length == 0)
        {
            return null;
        }

        var hashBytes = SHA256.HashData(Encoding.UTF8.GetBytes(secret));
        if (_configuredAdmin is not null && CryptographicOperations.FixedTimeEquals(hashBytes, _configuredAdmin))
        {
            return new LedgerCaller("config-admin", ApiKeyRole.Admin, null, []);
        }

        var hash = Convert.ToHexStringLower(hashBytes);
        var now = time.GetUtcNow();
        if (_cache.TryGetValue(hash, out var cached) && cached.Until > now)
        {
            return cached.Caller;
        }

        var row = await store.FindApiKeyByHashAsync(hash, context.RequestAborted);
        var caller = row is null || row.RevokedAt is not null ? null : new LedgerCaller(row.Id, row.Role, row.Organisation, row.Wallets);
        if (_cache.Count > 10_000)
        {
            _cache.Clear();
        }

        _cache[hash] = (caller, now + CacheFor);
        return caller;
    }
}

/// <summary>Authenticated keys by secret hash, for a second; revoking a key clears it on this instance at once.</summary>
internal sealed class ApiKeyCache
{
    public ConcurrentDictionary<string, (LedgerCaller? Caller, DateTimeOffset Until)> Entries { get; } = new(StringComparer.Ordinal);

    public void Clear() => Entries.Clear();
}
