namespace AiOrchestrator.Ledger.Server.Storage.Rows;

/// <summary>A tenant. Its id is the <c>&lt;org&gt;</c> of its wallet ids.</summary>
internal sealed record OrganisationRow(string Id, string? Name, DateTimeOffset CreatedAt);
