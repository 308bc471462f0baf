namespace AiOrchestrator.Ledger;

/// <summary>Creates or renames an organisation: the tenant that owns wallets, keys, usage and audit logs.</summary>
/// <param name="Name">A display name.</param>
public sealed record OrganisationRequest(string? Name);

/// <summary>An organisation.</summary>
/// <param name="Id">Its id, as in the paths and in its wallet ids (<c>org:&lt;id&gt;</c>).</param>
/// <param name="Name">Its display name.</param>
/// <param name="CreatedAt">When it was created.</param>
public sealed record OrganisationResponse(string Id, string? Name, DateTimeOffset CreatedAt);
