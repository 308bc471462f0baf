namespace AiOrchestrator.Ledger;

/// <summary>Issues an API key.</summary>
/// <param name="Role"><c>admin</c> (every organisation and endpoint) or <c>client</c> (one organisation, the listed wallets).</param>
/// <param name="Organisation">The organisation a client key works in; required for <c>client</c>.</param>
/// <param name="Wallets">The wallets a client key may reserve, lease, report usage and read on; a wallet also covers the wallets below it (<c>team:acme/search</c> covers <c>user:acme/search/*</c>).</param>
/// <param name="Name">A label for the key.</param>
public sealed record ApiKeyRequest(string Role, string? Organisation, IReadOnlyList<string>? Wallets, string? Name);

/// <summary>An API key. The secret is returned once, when it is created; the ledger keeps only its hash.</summary>
/// <param name="Id">The key's id (not secret).</param>
/// <param name="Secret">The key to send as a bearer token; null except in the response that created it.</param>
/// <param name="Role"><c>admin</c> or <c>client</c>.</param>
/// <param name="Organisation">The organisation of a client key.</param>
/// <param name="Wallets">The wallets of a client key.</param>
/// <param name="Name">Its label.</param>
/// <param name="CreatedAt">When it was issued.</param>
/// <param name="RevokedAt">When it was revoked, or null.</param>
public sealed record ApiKeyResponse(
    string Id,
    string? Secret,
    string Role,
    string? Organisation,
    IReadOnlyList<string> Wallets,
    string? Name,
    DateTimeOffset CreatedAt,
    DateTimeOffset? RevokedAt);
