using AiOrchestrator.Ledger.Server.Auth;
using AiOrchestrator.Ledger.Server.Problems;

namespace AiOrchestrator.Ledger.Server.Api;

/// <summary>What every ledger endpoint declares: who may call it, its operation id, summary and problem responses.</summary>
internal static class EndpointConventions
{
    public static RouteHandlerBuilder Ledger(this RouteHandlerBuilder builder, string operationId, string summary, string tag, LedgerAccess access, bool mutation, params int[] problems)
    {
        builder.WithName(operationId).WithSummary(summary).WithTags(tag).WithMetadata(new LedgerAccessMetadata(access));
        var statuses = new SortedSet<int>(problems) { 500 };
        if (access != LedgerAccess.Anonymous)
        {
            statuses.UnionWith([401, 403, 404, 429]);
        }

        if (mutation)
        {
            statuses.UnionWith([400, 409, 413, 415, 422]);
        }

        foreach (var status in statuses)
        {
            builder.ProducesProblem(status, LedgerProblem.ContentType);
        }

        return builder;
    }

    public static RouteHandlerBuilder Body<T>(this RouteHandlerBuilder builder)
        where T : notnull
        => builder.Accepts<T>("application/json");
}
